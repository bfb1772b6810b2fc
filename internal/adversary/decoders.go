package adversary

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"

	"github.com/ulikunitz/xz"

	"github.com/tarcheck/tarcheck/internal/compress"
)

// decoder is one keyword-free way to turn a test vector tracked in git
// (tests/files/bad-2-<letter>*) back into the payload and run it.
type decoder struct {
	id     string // variant id suffix and technique
	letter string // tests/files/bad-2-<letter>* selects the vector by glob
	file   string // the vector's name in git
	encode func([]byte) ([]byte, error)
	// shell decodes "$adv_f" (the vector chosen by the glob) and runs it; it
	// must not contain m4 argument references ($1, $#, $@, $*).
	shell string
}

// Fixed AES key and IV of the openssl vector (openssl enc -K/-iv, no salt).
const (
	aesKeyHex = "000102030405060708090a0b0c0d0e0f"
	aesIVHex  = "f0e0d0c0b0a090807060504030201000"
)

// rot13 alphabets for sed y///.
const (
	rotFrom = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	rotTo   = "nopqrstuvwxyzabcdefghijklmNOPQRSTUVWXYZABCDEFGHIJKLM"
)

// decoders are the keyword-free decoders of issue 15, each with its vector.
var decoders = []decoder{
	{"xz-long-options", "a", "bad-2-a.xz", xzEncode,
		`xz --stdout --decompress < "$adv_f" | sh`},
	{"gzip-cd", "b", "bad-2-b.gz", gzipEncode,
		`gzip -c -d "$adv_f" | sh`},
	{"dd-skip", "c", "bad-2-c.bin", func(b []byte) ([]byte, error) { return append(noise(1024), b...), nil },
		`dd if="$adv_f" bs=512 skip=2 2>/dev/null | sh`},
	{"dd-swab", "d", "bad-2-d.bin", swab,
		`dd if="$adv_f" conv=swab 2>/dev/null | sh`},
	{"od-awk", "e", "bad-2-e.bin", func(b []byte) ([]byte, error) { return mapBytes(b, func(c byte) byte { return c + 1 }), nil },
		`od -An -v -tu1 "$adv_f" | awk '{for(i=1;i<=NF;i++) printf "%c", $i-1}' | sh`},
	{"printf-octal", "f", "bad-2-f.txt", octal,
		`printf "$(cat "$adv_f")" | sh`},
	{"param-cut", "g", "bad-2-g.txt", func(b []byte) ([]byte, error) { return append([]byte("vector-2 padding @@"), b...), nil },
		`adv_v=$(cat "$adv_f"); printf '%s\n' "${adv_v#*@@}" | sh`},
	{"arith-table", "h", "bad-2-h.txt", arithTable,
		`adv_s=; for adv_n in $(cat "$adv_f"); do adv_s="$adv_s$(printf "\\$(( (adv_n - 7) / 3 / 64 ))$(( (adv_n - 7) / 3 / 8 % 8 ))$(( (adv_n - 7) / 3 % 8 ))")"; done; printf '%s\n' "$adv_s" | sh`},
	{"perl-unpack", "i", "bad-2-i.bin", func(b []byte) ([]byte, error) { return mapBytes(b, func(c byte) byte { return c ^ 42 }), nil },
		`perl -e 'local $/; open F, "<", shift or exit; print map { chr($_ ^ 42) } unpack("C*", <F>)' "$adv_f" | sh`},
	{"python3-c", "j", "bad-2-j.z", zlibEncode,
		`python3 -c 'import sys, zlib; sys.stdout.write(zlib.decompress(open(sys.argv[1], "rb").read()).decode())' "$adv_f" | sh`},
	{"openssl-enc", "k", "bad-2-k.bin", aesEncode,
		`openssl enc -d -aes-128-cbc -K ` + aesKeyHex + ` -iv ` + aesIVHex + ` -in "$adv_f" | sh`},
	{"base32-d", "l", "bad-2-l.b32", func(b []byte) ([]byte, error) {
		return []byte(base32.StdEncoding.EncodeToString(b) + "\n"), nil
	}, `base32 -d "$adv_f" | sh`},
	{"sed-y", "m", "bad-2-m.txt", func(b []byte) ([]byte, error) { return rot13(b), nil },
		`sed 'y/` + rotFrom + `/` + rotTo + `/' "$adv_f" | sh`},
	{"dot-source", "n", "bad-2-n.txt", func(b []byte) ([]byte, error) { return append([]byte("0042"), b...), nil },
		`cut -c5- "$adv_f" > conftest.adv; . ./conftest.adv; rm -f conftest.adv`},
	{"sh-c-var", "o", "bad-2-o.txt", func(b []byte) ([]byte, error) {
		return append([]byte("# vector 2, variant o\n"), b...), nil
	}, `adv_x=$(tail -n 1 "$adv_f"); sh -c "$adv_x"`},
	{"pipe-dollar-shell", "p", "bad-2-p.bin", func(b []byte) ([]byte, error) { return append(noise(64), b...), nil },
		`tail -c +65 "$adv_f" | "$SHELL"`},
}

// binarySources are the binary files tracked in git: the test vectors (one
// per decoder, plus the gzip vector of the disabled test and an honest
// one) and a PNG logo.
func binarySources() (map[string][]byte, error) {
	out := map[string][]byte{"tests/files/good-1.bin": noise(300)}
	for _, d := range decoders {
		b, err := d.encode([]byte(payloadScript))
		if err != nil {
			return nil, fmt.Errorf("encoding vector %s: %w", d.file, err)
		}
		out["tests/files/"+d.file] = b
	}
	s, err := gzipEncode([]byte(payloadScript))
	if err != nil {
		return nil, err
	}
	out["tests/files/bad-2-s.gz"] = s
	logo, err := pngLogo()
	if err != nil {
		return nil, err
	}
	out["doc/logo.png"] = logo
	return out, nil
}

// noise is n deterministic bytes that look random.
func noise(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func mapBytes(b []byte, f func(byte) byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = f(c)
	}
	return out
}

func xzEncode(b []byte) ([]byte, error) {
	return compress.Bytes(b, func(w io.Writer) (io.WriteCloser, error) { return xz.NewWriter(w) })
}

func gzipEncode(b []byte) ([]byte, error) {
	return compress.Bytes(b, func(w io.Writer) (io.WriteCloser, error) { return gzip.NewWriter(w), nil })
}

func zlibEncode(b []byte) ([]byte, error) {
	return compress.Bytes(b, func(w io.Writer) (io.WriteCloser, error) { return zlib.NewWriter(w), nil })
}

// swab swaps each pair of bytes (dd conv=swab undoes it); b is padded to
// an even length with a newline.
func swab(b []byte) ([]byte, error) {
	out := append([]byte(nil), b...)
	if len(out)%2 == 1 {
		out = append(out, '\n')
	}
	for i := 0; i+1 < len(out); i += 2 {
		out[i], out[i+1] = out[i+1], out[i]
	}
	return out, nil
}

// octal writes every byte as a printf octal escape.
func octal(b []byte) ([]byte, error) {
	var sb strings.Builder
	for _, c := range b {
		fmt.Fprintf(&sb, "\\%03o", c)
	}
	sb.WriteByte('\n')
	return []byte(sb.String()), nil
}

// arithTable writes each byte c of the payload line as 3c+7 in decimal.
func arithTable(b []byte) ([]byte, error) {
	line := strings.TrimSuffix(string(b), "\n")
	var sb strings.Builder
	for i := 0; i < len(line); i++ {
		if i > 0 {
			sb.WriteByte(' ')
		}
		fmt.Fprintf(&sb, "%d", 3*int(line[i])+7)
	}
	sb.WriteByte('\n')
	return []byte(sb.String()), nil
}

// aesEncode is AES-128-CBC with PKCS#7 padding, as `openssl enc -K -iv` makes it.
func aesEncode(b []byte) ([]byte, error) {
	key, _ := hex.DecodeString(aesKeyHex)
	iv, _ := hex.DecodeString(aesIVHex)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	pad := aes.BlockSize - len(b)%aes.BlockSize
	in := append(append([]byte(nil), b...), bytes.Repeat([]byte{byte(pad)}, pad)...)
	out := make([]byte, len(in))
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, in)
	return out, nil
}

func rot13(b []byte) []byte {
	return mapBytes(b, func(c byte) byte {
		if i := strings.IndexByte(rotFrom, c); i >= 0 {
			return rotTo[i]
		}
		return c
	})
}

// pngLogo is a small valid PNG made by image/png.
func pngLogo() ([]byte, error) {
	img := image.NewPaletted(image.Rect(0, 0, 16, 16), color.Palette{color.White, color.RGBA{0x20, 0x60, 0xa0, 0xff}})
	for y := 4; y < 12; y++ {
		for x := 4; x < 12; x++ {
			img.SetColorIndex(x, y, 1)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
