package tagrules

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
)

// cacheVersion names the format of a run's key and record; change it when
// what a run reads or how it judges changes.
const cacheVersion = "tarcheck tag rules 1"

// runKey is the hash of everything one run reads and is judged against:
// the packed tag files with the translated makefiles (export.tar below
// root), the script for these jobs (with the scratch paths fixed), the
// environment, and each job's target and tarball blob id. Two runs with
// one key run the same commands on the same bytes.
func runKey(root *os.Root, script string, env []string, jobs []Job) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%d\n", cacheVersion, len(jobs))
	f, err := root.Open("export.tar")
	if err != nil {
		return "", err
	}
	_, err = io.Copy(h, f)
	f.Close()
	if err != nil {
		return "", err
	}
	fmt.Fprintf(h, "\n%d\n%s\n", len(script), script)
	envs := slices.Clone(env)
	sort.Strings(envs)
	for _, e := range envs {
		fmt.Fprintf(h, "%q\n", e)
	}
	for _, j := range jobs {
		fmt.Fprintf(h, "%q %q %q %d %x\n", j.Path, j.Target, j.Makefile, j.Line, j.ID)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// cacheRecord is what a cache file holds: the jobs runs with its key
// reproduced.
type cacheRecord struct {
	Version    string   `json:"version"`
	Reproduced []string `json:"reproduced"`
}

// cached returns the jobs an earlier run with this key reproduced, by
// path (nil when there is no such run).
func cached(dir, key string) map[string]bool {
	if dir == "" {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(dir, key+".json"))
	if err != nil || len(b) > 1<<20 {
		return nil
	}
	var rec cacheRecord
	if json.Unmarshal(b, &rec) != nil || rec.Version != cacheVersion {
		return nil
	}
	done := make(map[string]bool, len(rec.Reproduced))
	for _, p := range rec.Reproduced {
		done[p] = true
	}
	return done
}

// store records the jobs of out that were reproduced (the others are run
// again next time: a timeout under load, or a tool missing here, need not
// recur). Failing to write is not an error: the cache only saves time.
func store(dir, key string, out []Outcome) {
	if dir == "" {
		return
	}
	rec := cacheRecord{Version: cacheVersion}
	for _, o := range out {
		if o.Reproduced {
			rec.Reproduced = append(rec.Reproduced, o.Path)
		}
	}
	if len(rec.Reproduced) == 0 {
		return
	}
	b, err := json.Marshal(rec)
	if err != nil || os.MkdirAll(dir, 0o700) != nil {
		return
	}
	f, err := os.CreateTemp(dir, "tmp-")
	if err != nil {
		return
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(dir, key+".json"))
	}
	if err != nil {
		os.Remove(f.Name())
	}
}
