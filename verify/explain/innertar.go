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
	tr := tar.NewReader(bytes.NewReader(c))
	files, fromDB, example := 0, 0, ""
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
		body, err := io.ReadAll(tr)
		if err != nil {
			return false
		}
		id := origindb.BlobID(body)
		got, err := x.in.Blobs.Read(hex.EncodeToString(id))
		if err != nil || !bytes.Equal(got, body) {
			// Not a blob of the repository: a file an earlier release
			// built or copied (ABOUT-NLS, config.rpath), proved by the
			// database of upstream files.
			if x.prov.fromDB(h.Name, [20]byte(id)) == nil {
				return false
			}
			fromDB++
		} else if example == "" {
			example = h.Name
		}
		files++
	}
	if files == 0 {
		return false
	}
	x.add(report.FileDiff{Path: rel, Status: t.Status, Class: ClassTagCopy, Severity: report.SevLow,
		Reason: fmt.Sprintf("a tar archive of %d files, every one a blob of the repository's history (e.g. %s) or (%d of them) a known upstream file, and nothing else", files, example, fromDB),
		Origin: &report.Origin{Kind: report.OriginTag, Path: rel, Transform: "tar archive of repository blobs"}}, autotools.Result{})
	return true
}
