package hostile

import (
	"bytes"
	"fmt"
	"os/exec"
)

// Bzip2Command is a Compressor that runs the system `bzip2 -9c` (the
// standard library reads bzip2 but cannot write it). Callers check that
// bzip2 is installed first.
func Bzip2Command(data []byte) ([]byte, error) {
	cmd := exec.Command("bzip2", "-9c")
	cmd.Stdin = bytes.NewReader(data)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("bzip2: %v: %s", err, bytes.TrimSpace(errb.Bytes()))
	}
	return out.Bytes(), nil
}
