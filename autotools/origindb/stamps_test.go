package origindb

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestStampLine(t *testing.T) {
	for _, tt := range []struct {
		line, keep string
		ok         bool
	}{
		{`VERSION="2.4.6 Debian-2.4.6-15build2"`, "VERSION=", true},
		{`package_revision=2.4.6`, "package_revision=", true},
		{`scriptversion=2018-03-07.03; # UTC`, "scriptversion=", true},
		{`timestamp='2021-01-01'`, "timestamp=", true},
		{`  VERSION='1.16.5'  `, "VERSION=", true},
		{`       version:        $progname $scriptversion Debian-2.4.6-15build2`, "version:        $progname $scriptversion ", true},
		{`version: $progname (GNU libtool) 2.4.6`, "version: $progname (GNU libtool) ", true},
		// A value that runs something, or an assignment followed by a
		// command, is not a stamp.
		{`VERSION=x rm -rf .`, "", false},
		{`VERSION="$(id)"`, "", false},
		{"VERSION=`id`", "", false},
		{`VERSION="2.4.6"; rm -rf .`, "", false},
		{`VERSION="2.4.6' ; id ; '"`, "", false},
		{`VERSION=(a b)`, "", false},
		{`NAME="2.4.6"`, "", false},
		{`version: $progname $scriptversion 2.4.6; id`, "", false},
	} {
		keep, ok := StampLine([]byte(tt.line))
		if ok != tt.ok || string(keep) != tt.keep {
			t.Errorf("StampLine(%q) = %q, %v; want %q, %v", tt.line, keep, ok, tt.keep, tt.ok)
		}
	}
}

const helperV1 = "#!/bin/sh\nscriptversion=2020-01-01.01; # UTC\nVERSION=\"2.4.6 Debian-2.4.6-15\"\necho run\n"

func TestStampKey(t *testing.T) {
	k1, n := StampKey([]byte(helperV1))
	if n != 2 {
		t.Fatalf("%d stamp lines, want 2", n)
	}
	same := strings.NewReplacer("2.4.6-15", "2.4.6-15build2", "2020-01-01.01", "2021-02-03.04").Replace(helperV1)
	if k, _ := StampKey([]byte(same)); k != k1 {
		t.Errorf("other stamp values changed the key")
	}
	for name, variant := range map[string]string{
		"command added":          helperV1 + "curl x | sh\n",
		"code changed":           strings.Replace(helperV1, "echo run", "echo ran", 1),
		"stamp variable renamed": strings.Replace(helperV1, "VERSION=", "package_revision=", 1),
		"stamp line removed":     strings.Replace(helperV1, "VERSION=\"2.4.6 Debian-2.4.6-15\"\n", "", 1),
		"stamp line moved":       strings.Replace(helperV1, "VERSION=\"2.4.6 Debian-2.4.6-15\"\necho run\n", "echo run\nVERSION=\"2.4.6\"\n", 1),
		"stamp made a command":   strings.Replace(helperV1, "VERSION=\"2.4.6 Debian-2.4.6-15\"", "VERSION=x rm -rf .", 1),
		"no final newline":       strings.TrimSuffix(helperV1, "\n"),
	} {
		if k, _ := StampKey([]byte(variant)); k == k1 {
			t.Errorf("%s: same key as the original", name)
		}
	}
}

func TestStampsRoundTrip(t *testing.T) {
	b := NewStampsBuilder()
	b.AddFile("ltmain.sh", []byte(helperV1))
	b.AddFile("ltmain.sh", []byte(helperV1)) // the same version twice: one entry
	b.AddFile("install-sh", []byte("#!/bin/sh\necho no stamp\n"))
	b.AddLines("ltmain.sh", [][]byte{[]byte("VERSION=1")})
	if b.Len() != 1 {
		t.Fatalf("%d entries, want 1 (a helper without stamps needs none)", b.Len())
	}
	s, err := OpenStamps(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	rebuilt := strings.Replace(helperV1, "2.4.6-15", "2.4.6-15build2", 1)
	blobs, n := s.Lookup([]byte(rebuilt))
	if len(blobs) != 1 || n != 2 || !bytes.Equal(blobs[0], BlobID([]byte(helperV1))[:PrefixLen]) {
		t.Fatalf("Lookup = %x, %d; want the original's blob id", blobs, n)
	}
	if blobs, _ := s.Lookup([]byte(rebuilt + "id\n")); len(blobs) != 0 {
		t.Errorf("an added line still found %x", blobs)
	}
	if blobs, n := (&Stamps{}).Lookup([]byte(rebuilt)); len(blobs) != 0 || n != 2 {
		t.Errorf("empty index: %x, %d", blobs, n)
	}
}

func TestOpenStampsRejects(t *testing.T) {
	b := NewStampsBuilder()
	b.AddFile("a", []byte(helperV1))
	b.AddFile("b", []byte("VERSION=1\nx\n"))
	good := b.Bytes()
	unsorted := append([]byte(nil), good...)
	copy(unsorted[16:], good[16+stampsEntrySize:])
	copy(unsorted[16+stampsEntrySize:], good[16:16+stampsEntrySize])
	for name, data := range map[string][]byte{
		"empty":     nil,
		"magic":     append([]byte("TCSTAMP0"), good[8:]...),
		"truncated": good[:len(good)-1],
		"unsorted":  unsorted,
		"too many":  append(append([]byte(stampsMagic), 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0), good[16:]...),
	} {
		if _, err := OpenStamps(data); err == nil {
			t.Errorf("%s: opened", name)
		}
	}
}

// The embedded index holds the known versions with stamps, among them
// Debian's installed ltmain.sh (a .deb the database was built from).
func TestEmbeddedStamps(t *testing.T) {
	s, err := EmbeddedStamps()
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() < 1000 {
		t.Errorf("embedded stamp index has %d entries, want > 1000", s.Len())
	}
	lt, err := os.ReadFile("/usr/share/libtool/build-aux/ltmain.sh")
	if err != nil {
		if os.Getenv("TARCHECK_REQUIRE_TOOLS") != "" {
			t.Fatalf("libtool is not installed: %v", err)
		}
		t.Skip("libtool is not installed")
	}
	rebuilt := regexpReplaceVersion(lt)
	blobs, n := s.Lookup(rebuilt)
	if len(blobs) == 0 || n == 0 {
		t.Fatalf("the installed ltmain.sh with another version string: not found (%d stamp lines)", n)
	}
	if !bytes.Equal(blobs[0], BlobID(lt)[:PrefixLen]) {
		t.Errorf("found %x, want the installed copy's blob %x", blobs[0], BlobID(lt)[:PrefixLen])
	}
}

// regexpReplaceVersion appends "build1" to the VERSION stamp, as Ubuntu's
// no-change rebuild of a Debian package does.
func regexpReplaceVersion(content []byte) []byte {
	var out [][]byte
	for _, l := range bytes.Split(content, []byte("\n")) {
		if bytes.HasPrefix(l, []byte(`VERSION="`)) {
			l = append(bytes.TrimSuffix(l, []byte(`"`)), []byte(`build1"`)...)
		}
		out = append(out, l)
	}
	return bytes.Join(out, []byte("\n"))
}

func FuzzStampKey(f *testing.F) {
	f.Add([]byte(helperV1))
	f.Add([]byte("VERSION=x rm -rf .\n"))
	s, err := EmbeddedStamps()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, n := StampKey(data)
		blobs, m := s.Lookup(data)
		if n != m || n > bytes.Count(data, []byte("\n"))+1 {
			t.Fatalf("%d/%d stamp lines in %d bytes", n, m, len(data))
		}
		_ = blobs
		if _, err := OpenStamps(data); err == nil && !bytes.HasPrefix(data, []byte(stampsMagic)) {
			t.Fatal("opened data without the magic")
		}
	})
}
