package autotools

import (
	"os"
	"testing"
)

func BenchmarkTmpFlow(b *testing.B) {
	var srcs [][]byte
	names := []string{"coreutils-9.7/configure", "curl-8.14.1/configure", "curl-8.14.1/ltmain.sh"}
	for _, n := range names {
		c, _ := os.ReadFile("/tmp/s18/src/" + n)
		srcs = append(srcs, c)
	}
	for b.Loop() {
		for i, c := range srcs {
			ScanFlows(names[i], c)
		}
	}
}
