// Command gentree writes a reproducible synthetic source tree shaped like a
// large release (by default like the Linux kernel: ~80k files, ~1.3 GB) for
// tarcheck's benchmarks. Contents are pseudo-source text from a fixed seed, so
// they compress about as well as real code.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
)

var words = []string{"static", "int", "struct", "return", "if", "else", "for", "while", "unsigned", "long",
	"void", "const", "char", "size_t", "NULL", "err", "ret", "dev", "buf", "len", "lock", "unlock", "spin",
	"mutex", "kfree", "kmalloc", "GFP_KERNEL", "EINVAL", "ENOMEM", "page", "node", "list", "head", "next",
	"prev", "data", "flags", "count", "offset", "index", "irq", "reg", "val", "mask", "shift", "u32", "u64",
	"u8", "bool", "true", "false", "goto", "out", "fail", "init", "exit", "module", "driver", "probe",
	"remove", "ops", "read", "write", "open", "release", "ioctl", "=", "==", "!=", "+", "-", "*", "&", "->",
	"(", ")", "{", "}", ";", ",", "0", "1", "0x10", "4096", "/*", "*/", "#define", "#include"}

func main() {
	dir := flag.String("dir", "tree", "output directory")
	files := flag.Int("files", 80000, "number of files")
	total := flag.Int64("bytes", 1300<<20, "approximate total bytes")
	seed := flag.Int64("seed", 1, "random seed")
	flag.Parse()
	rng := rand.New(rand.NewSource(*seed))
	avg := *total / int64(*files)
	dirs := []string{"arch", "drivers", "fs", "include", "kernel", "mm", "net", "sound", "tools", "lib", "crypto", "block", "security", "Documentation"}
	// A pool of lines drawn with a skewed distribution makes the text about
	// as compressible as real source (the kernel's .tar.xz is ~10:1).
	pool := make([]string, 20000)
	for i := range pool {
		var b []byte
		for j, k := 0, 3+rng.Intn(10); j < k; j++ {
			b = append(b, words[rng.Intn(len(words))]...)
			b = append(b, ' ')
		}
		pool[i] = string(b)
	}
	zipf := rand.NewZipf(rng, 1.1, 8, uint64(len(pool)-1))
	var written int64
	for i := 0; i < *files; i++ {
		top := dirs[rng.Intn(len(dirs))]
		sub := fmt.Sprintf("%s/sub%02d/mod%03d", top, rng.Intn(40), rng.Intn(60))
		ext := []string{".c", ".h", ".S", ".rst", ".txt", "Makefile", "Kconfig"}[rng.Intn(7)]
		name := fmt.Sprintf("f%06d%s", i, ext)
		if ext == "Makefile" || ext == "Kconfig" {
			name = fmt.Sprintf("%s.%06d", ext, i)
		}
		p := filepath.Join(*dir, sub, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			fail(err)
		}
		// Sizes: exponential-ish around the average, a few large files.
		size := int64(rng.ExpFloat64() * float64(avg))
		if rng.Intn(500) == 0 {
			size *= 20
		}
		f, err := os.Create(p)
		if err != nil {
			fail(err)
		}
		w := bufio.NewWriterSize(f, 64<<10)
		var n int64
		for n < size {
			l := pool[zipf.Uint64()]
			w.WriteString(l)
			w.WriteByte('\n')
			n += int64(len(l) + 1)
		}
		if err := w.Flush(); err != nil {
			fail(err)
		}
		f.Close()
		if rng.Intn(20) == 0 {
			os.Chmod(p, 0o755)
		}
		written += n
	}
	fmt.Fprintf(os.Stderr, "gentree: %d files, %d bytes in %s\n", *files, written, *dir)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gentree:", err)
	os.Exit(1)
}
