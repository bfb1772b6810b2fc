package explain

import (
	"archive/tar"
	"bytes"
	"encoding/hex"
	"fmt"
	"github.com/tarcheck/tarcheck/internal/limits"
	"io"
	"path"
	"strings"

	"github.com/tarcheck/tarcheck/autotools"
	"github.com/tarcheck/tarcheck/autotools/origindb"
	"github.com/tarcheck/tarcheck/verify/compare"
	"github.com/tarcheck/tarcheck/verify/report"
)

// maxInnerMembers caps the members of a tarball-only tar archive checked
// against the repository.
const maxInnerMembers = limits.ExplainMaxInnerMembers

// repoBlobArchive proves a tar archive only in the tarball whose every
// regular member is a blob of the repository (any commit of its history,
// read through Blobs by id) or a file of the database of upstream files,
// and which holds nothing but directories and
// such files: gettext's gettext-tools/misc/archive.dir.tar, which make
// dist builds from the infrastructure files of every earlier gettext
// release. One member the repository does not hold, a link or a device,
// and the archive stays unexplained.
func (x *explainer) repoBlobArchive(rel string, t *compare.Member) bool {
	c := t.Content
	if t.Status != report.OnlyInTarball || len(c) < 512 || !bytes.Equal(c[257:262], []byte("ustar")) || x.in.Blobs == nil {
		return false
	}
	// The members' bytes are slices of c (no copy); their ids go to git
	// in one request (readEach), not one round trip each: gettext 0.21's
	// archive has thousands.
	type member struct {
		name string
		body []byte
		id   [20]byte
	}
	var members []member
	in := bytes.NewReader(c)
	tr := tar.NewReader(in)
	for n := 0; ; n++ {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil || n >= maxInnerMembers || path.IsAbs(h.Name) || strings.HasPrefix(path.Clean(h.Name), "..") {
			return false
		}
		switch h.Typeflag {
		case tar.TypeDir:
			continue
		case tar.TypeReg:
		default:
			return false
		}
		off := int64(len(c)) - int64(in.Len())
		if h.Size < 0 || off+h.Size > int64(len(c)) {
			return false
		}
		body := c[off : off+h.Size : off+h.Size]
		members = append(members, member{name: h.Name, body: body, id: [20]byte(origindb.BlobID(body))})
	}
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = hex.EncodeToString(m.id[:])
	}
	files, fromDB, example, ok, seen := 0, 0, "", true, 0
	readEach(x.in.Blobs, ids, func(i int, got []byte, err error) bool {
		seen++
		m := members[i]
		if err != nil || !bytes.Equal(got, m.body) {
			// Not a blob of the repository: a file an earlier release
			// built or copied (ABOUT-NLS, config.rpath), proved by the
			// database of upstream files.
			if x.prov.fromDB(m.name, m.id) == nil {
				ok = false
				return false
			}
			fromDB++
		} else if example == "" {
			example = m.name
		}
		files++
		return true
	})
	if !ok || seen != len(members) { // a reader that stopped early proved nothing of the rest
		return false
	}
	if files == 0 {
		return false
	}
	x.add(report.FileDiff{Path: rel, Status: t.Status, Class: ClassTagCopy, Severity: report.SevLow,
		Reason: fmt.Sprintf("a tar archive of %d files, every one a blob of the repository's history (e.g. %s) or (%d of them) a known upstream file, and nothing else", files, example, fromDB),
		Origin: &report.Origin{Kind: report.OriginTag, Path: rel, Transform: "tar archive of repository blobs"}}, autotools.Result{})
	return true
}
