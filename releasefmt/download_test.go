package releasefmt

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestDownloads(t *testing.T) {
	data := []byte("\x00\x01weights\x02")
	model := []byte("model bytes\n")
	archive := []byte("pretend tar.gz of the model")
	tag := map[string][]byte{
		"scripts/fetch-deps.sh": []byte("#!/bin/sh\nset -e\nURL=https://example.org/files/data-1.0.bin\nSHA256=" + sha256hex(data) +
			"\ncurl -LO \"$URL\"\necho \"$SHA256  data-1.0.bin\" | sha256sum -c\n"),
		"CMakeLists.txt": []byte("file(DOWNLOAD https://example.org/m/model.bin ${CMAKE_BINARY_DIR}/model.bin)\n"),
		"SHA256SUMS":     []byte(sha256hex(model) + "  model.bin\n"),
		"Makefile.am":    []byte("extra.txt:\n\twget https://example.org/x/extra.txt\n"),
		"autogen.sh":     []byte("#!/bin/sh\nset -e\ndnn/download_model.sh \"" + sha256hex(archive) + "\"\nautoreconf -isf\n"),
		"dnn/download_model.sh": []byte("#!/bin/sh\nset -e\nmodel=opus_data-$1.tar.gz\nif [ ! -f $model ]; then\n" +
			"        wget https://media.example.org/opus/models/$model\nfi\nchecksum2=$(sha256sum $model | awk '{print $1}')\n" +
			"[ \"$1\" = \"$checksum2\" ] || exit 1\ntar xvomf $model\n"),
		"dnn/nnet.c": []byte("int x;\n"),
	}
	tarFiles := map[string][]byte{
		"data-1.0.bin":           data,
		"model.bin":              model,
		"extra.txt":              []byte("extra\n"),
		"dnn/fargan_data.c":      []byte("const float w[] = {0.1f};\n"),
		"dnn/fargan_data.h":      []byte("extern const float w[];\n"),
		"dnn/run.sh":             []byte("#!/bin/sh\n"),
		"unrelated/notes.txt":    []byte("x\n"),
		"dnn/opus_data-x.tar.gz": []byte("not pinned"),
	}
	in := makeInput(tag, tarFiles, "", "", "1.5")
	r := Explain(in)
	want := map[string]struct {
		sev  Severity
		kind string
		url  string
	}{
		"data-1.0.bin":      {SevInfo, KindDownload, "https://example.org/files/data-1.0.bin"},
		"model.bin":         {SevInfo, KindDownload, "https://example.org/m/model.bin"},
		"extra.txt":         {SevMedium, KindDownload, "https://example.org/x/extra.txt"},
		"dnn/fargan_data.c": {SevMedium, KindDownloadTree, "https://media.example.org/opus/models/$model"},
		"dnn/fargan_data.h": {SevMedium, KindDownloadTree, "https://media.example.org/opus/models/$model"},
	}
	for p, w := range want {
		e, ok := explained(r, p)
		if !ok || e.Severity != w.sev || e.Origin.Kind != w.kind || e.Origin.URL != w.url {
			t.Errorf("%s: %+v %v, want %s %s %s", p, e, ok, w.sev, w.kind, w.url)
		}
	}
	for _, p := range []string{"dnn/run.sh", "unrelated/notes.txt"} {
		if e, ok := explained(r, p); ok {
			t.Errorf("%s explained as %+v", p, e)
		}
	}
	if e, _ := explained(r, "dnn/fargan_data.c"); !strings.Contains(e.Reason, "hash the tag pins") {
		t.Errorf("reason %q", e.Reason)
	}
	if len(r.Findings) != 1 || !hasFinding(r, RuleDownloadHash, "dnn/opus_data-x.tar.gz", SevHigh) {
		t.Errorf("findings %+v, want only the unpinned archive copy", r.Findings)
	}

	bad := copyMap(tarFiles)
	bad["data-1.0.bin"] = []byte("tampered")
	bad["model.bin"] = []byte("tampered model")
	r = Explain(makeInput(tag, bad, "", "", "1.5"))
	for _, p := range []string{"data-1.0.bin", "model.bin"} {
		if !hasFinding(r, RuleDownloadHash, p, SevHigh) {
			t.Errorf("%s with another hash: no high %s in %+v", p, RuleDownloadHash, r.Findings)
		}
		if _, ok := explained(r, p); ok {
			t.Errorf("%s with another hash explained", p)
		}
	}
}

func TestScanDownloadsBSDChecksum(t *testing.T) {
	h := strings.Repeat("ab", 32)
	d := ScanDownloads(map[string][]byte{
		"bootstrap":            []byte("fetch https://example.org/a/tool-2.tar.xz\n"),
		"tool-2.tar.xz.sha256": []byte("SHA256 (tool-2.tar.xz) = " + h + "\n"),
	})
	if len(d) != 1 || d[0].Name != "tool-2.tar.xz" || len(d[0].Hashes) != 1 || d[0].Hashes[0] != "sha256:"+h || d[0].Line != 1 {
		t.Fatalf("got %+v", d)
	}
}

// BenchmarkExplainLargeTree: a tag of 5,000 files with 400 Makefile.am of
// about 8 KiB, and a tarball with 2,000 only-in-tarball files.
func BenchmarkExplainLargeTree(b *testing.B) {
	tag := map[string][]byte{}
	tarFiles := map[string][]byte{}
	mk := []byte(strings.Repeat("foo_SOURCES = a.c b.c c.c d.c e.c f.c g.c h.c\n", 180) + "dl:\n\twget https://example.org/x/data.bin\n")
	for i := 0; i < 5000; i++ {
		p := "src/d" + strings.Repeat("x", i%7) + "/" + hex.EncodeToString([]byte{byte(i >> 8), byte(i)})
		if i%12 == 0 {
			tag[p+"/Makefile.am"] = mk
		} else {
			tag[p+".c"] = []byte("int x;\n")
		}
	}
	for i := 0; i < 2000; i++ {
		tarFiles["gen/"+hex.EncodeToString([]byte{byte(i >> 8), byte(i)})+".o"] = make([]byte, 4096)
	}
	in := makeInput(tag, tarFiles, "", "", "1.0")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Explain(in)
	}
}

// opus 1.5.2's layout: autogen.sh passes only a short name prefix, the
// download script checks no hash. The unpacked model tables are still
// medium, now naming the archive and URL; a hand-written source or script
// beside them is not attributed to the archive.
func TestDownloadArchiveWithoutHash(t *testing.T) {
	tag := map[string][]byte{
		"autogen.sh": []byte("#!/bin/sh\nset -e\ndnn/download_model.sh \"735117b\"\nautoreconf -isf\n"),
		"dnn/download_model.sh": []byte("#!/bin/sh\nset -e\nmodel=opus_data-$1.tar.gz\nif [ ! -f $model ]; then\n" +
			"        wget https://media.example.org/opus/models/$model\nfi\ntar xvomf $model\n"),
	}
	tarFiles := map[string][]byte{
		"dnn/fargan_data.c":           []byte("const float w[] = {0.1f};\n"),
		"dnn/dred_rdovae_constants.h": []byte("#define N 1\n"),
		"dnn/backdoor.c":              []byte("int main(void) { return 0; }\n"),
		"dnn/run.sh":                  []byte("#!/bin/sh\n"),
	}
	r := Explain(makeInput(tag, tarFiles, "", "", "1.5.2"))
	for _, p := range []string{"dnn/fargan_data.c", "dnn/dred_rdovae_constants.h"} {
		e, ok := explained(r, p)
		if !ok || e.Severity != SevMedium || e.Origin.Kind != KindDownloadTree || e.Origin.Hash != "" ||
			e.Origin.URL != "https://media.example.org/opus/models/$model" || !strings.Contains(e.Reason, "no hash") {
			t.Errorf("%s: %+v %v", p, e, ok)
		}
	}
	for _, p := range []string{"dnn/backdoor.c", "dnn/run.sh"} {
		if e, ok := explained(r, p); ok {
			t.Errorf("%s explained as %+v", p, e)
		}
	}
}
