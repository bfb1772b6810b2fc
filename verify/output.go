package verify

import (
	"bytes"
	"io"
)

// WriteOutput runs fill on the file named file, written atomically once
// fill is done (see WriteFileAtomic), or, when file is "" or "-", on
// stdout: directly, or through a buffer when buffered (a document that must
// appear whole or not at all). A failed write is a KindEnvironment error.
func WriteOutput(file string, stdout io.Writer, buffered bool, fill func(w io.Writer) error) error {
	toFile := file != "" && file != "-"
	if !toFile && !buffered {
		return fill(stdout)
	}
	var buf bytes.Buffer
	if err := fill(&buf); err != nil {
		return err
	}
	if toFile {
		return WriteFileAtomic(file, buf.Bytes())
	}
	if _, err := stdout.Write(buf.Bytes()); err != nil {
		return Errorf(KindEnvironment, "writing output: %v", err)
	}
	return nil
}
