package main

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// yamlBlocks returns the ```yaml blocks of a Markdown file.
func yamlBlocks(t *testing.T, file string) []string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	for _, part := range strings.Split(string(data), "```yaml\n")[1:] {
		body, _, ok := strings.Cut(part, "```")
		if !ok {
			t.Fatalf("%s: unterminated yaml block", file)
		}
		blocks = append(blocks, body)
	}
	return blocks
}

// checkTarcheckCommand checks that a shell command line's tarcheck
// invocation names an existing subcommand and only flags it accepts.
func checkTarcheckCommand(t *testing.T, line string) {
	t.Helper()
	_, rest, ok := strings.Cut(line, "tarcheck ")
	if !ok {
		return
	}
	fields := strings.Fields(rest)
	var path []string
	for _, f := range fields {
		if strings.HasPrefix(f, "-") || strings.ContainsAny(f, "/.$") {
			break
		}
		path = append(path, f)
	}
	root := newRootCmd(&env{getenv: os.Getenv})
	cmd, _, err := root.Find(path)
	if err != nil || cmd == root {
		t.Errorf("%q: no subcommand %v", line, path)
		return
	}
	for _, f := range fields {
		name, _, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
		if !strings.HasPrefix(f, "--") || name == "" {
			continue
		}
		if cmd.Flags().Lookup(name) == nil && cmd.InheritedFlags().Lookup(name) == nil {
			t.Errorf("%q: tarcheck %s has no --%s", line, cmd.Name(), name)
		}
	}
}

// TestDocsShardExamples checks the sharding examples of docs/ci.md: the
// YAML parses, the GitHub Actions matrix lists shards 1..N for --shard
// K/N, the Kubernetes Indexed Job maps JOB_COMPLETION_INDEX (0-based) to
// shard index+1 of `completions`, results are merged with batch merge, and
// every tarcheck command and flag used exists.
func TestDocsShardExamples(t *testing.T) {
	var sawMatrix, sawJob, sawMerge bool
	shardRe := regexp.MustCompile(`--shard (.+?)/(\d+)`)
	for _, b := range yamlBlocks(t, "../../docs/ci.md") {
		var doc map[string]any
		if err := yaml.Unmarshal([]byte(b), &doc); err != nil {
			t.Errorf("docs/ci.md yaml block does not parse: %v\n%s", err, b)
			continue
		}
		for _, line := range strings.Split(b, "\n") {
			checkTarcheckCommand(t, line)
			sawMerge = sawMerge || strings.Contains(line, "tarcheck batch merge")
		}
		m := shardRe.FindStringSubmatch(b)
		if m == nil {
			continue
		}
		n, _ := strconv.Atoi(m[2])
		switch {
		case strings.Contains(m[1], "matrix.shard"):
			sawMatrix = true
			jobs := doc["jobs"].(map[string]any)
			matrix := jobs["verify"].(map[string]any)["strategy"].(map[string]any)["matrix"].(map[string]any)
			shards := matrix["shard"].([]any)
			if len(shards) != n {
				t.Errorf("matrix has %d shards, --shard says /%d", len(shards), n)
			}
			for i, s := range shards {
				if s.(int) != i+1 {
					t.Errorf("matrix shard %d is %v, want %d (K counts from 1)", i, s, i+1)
				}
			}
		case strings.Contains(m[1], "JOB_COMPLETION_INDEX"):
			sawJob = true
			if m[1] != "$((JOB_COMPLETION_INDEX + 1))" {
				t.Errorf("shard K %q: the Indexed Job must map index i (from 0) to shard i+1", m[1])
			}
			spec := doc["spec"].(map[string]any)
			if spec["completionMode"] != "Indexed" || spec["completions"] != n {
				t.Errorf("Job completionMode %v, completions %v; want Indexed and %d", spec["completionMode"], spec["completions"], n)
			}
		}
	}
	if !sawMatrix || !sawJob || !sawMerge {
		t.Errorf("docs/ci.md: GitHub matrix %v, Indexed Job %v, batch merge %v; want all", sawMatrix, sawJob, sawMerge)
	}
}
