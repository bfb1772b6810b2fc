package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaPath is tarcheck's report contract (a copy of shared/report.schema.json).
const schemaPath = "../../verify/report/testdata/report.schema.json"

// lookupJSON follows a dotted path ("files.0.status", "summary.identical",
// "files[path=src/a.c].severity") into a decoded JSON value.
func lookupJSON(v any, path string) (any, error) {
	for _, part := range splitPath(path) {
		switch x := v.(type) {
		case map[string]any:
			val, ok := x[part]
			if !ok {
				return nil, fmt.Errorf("no key %q", part)
			}
			v = val
		case []any:
			if strings.HasPrefix(part, "[") {
				// [key=value] selects the first element whose key equals value.
				kv := strings.TrimSuffix(strings.TrimPrefix(part, "["), "]")
				k, want, _ := strings.Cut(kv, "=")
				found := false
				for _, el := range x {
					if m, ok := el.(map[string]any); ok && fmt.Sprint(m[k]) == want {
						v, found = el, true
						break
					}
				}
				if !found {
					return nil, fmt.Errorf("no element with %s", kv)
				}
				continue
			}
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return nil, fmt.Errorf("bad index %q (len %d)", part, len(x))
			}
			v = x[i]
		default:
			return nil, fmt.Errorf("cannot index %T with %q", v, part)
		}
	}
	return v, nil
}

func splitPath(p string) []string {
	var out []string
	for p != "" {
		if strings.HasPrefix(p, "[") {
			end := strings.Index(p, "]")
			if end < 0 {
				out = append(out, p)
				break
			}
			out = append(out, p[:end+1])
			p = strings.TrimPrefix(p[end+1:], ".")
			continue
		}
		i := strings.IndexAny(p, ".[")
		if i < 0 {
			out = append(out, p)
			break
		}
		out = append(out, p[:i])
		if p[i] == '.' {
			p = p[i+1:]
		} else {
			p = p[i:]
		}
	}
	return out
}

func readJSON(ts *testscript.TestScript, file string) any {
	data, err := os.ReadFile(ts.MkAbs(file))
	ts.Check(err)
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		ts.Fatalf("%s: invalid JSON: %v", file, err)
	}
	return v
}

// cmdJSONField: jsonfield FILE PATH VALUE (or "jsonfield FILE PATH" to assert presence;
// with ! it asserts the value differs / path is absent).
func cmdJSONField(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: jsonfield FILE PATH [VALUE]")
	}
	v := readJSON(ts, args[0])
	got, err := lookupJSON(v, args[1])
	if len(args) == 2 {
		if neg && err == nil {
			ts.Fatalf("%s: %s present (%v), want absent", args[0], args[1], got)
		}
		if !neg && err != nil {
			ts.Fatalf("%s: %s: %v", args[0], args[1], err)
		}
		return
	}
	if err != nil {
		if neg {
			return
		}
		ts.Fatalf("%s: %s: %v", args[0], args[1], err)
	}
	s := fmt.Sprint(got)
	if got == nil {
		s = "null"
	}
	if (s == args[2]) == neg {
		ts.Fatalf("%s: %s = %q, want %s%q", args[0], args[1], s, map[bool]string{true: "not ", false: ""}[neg], args[2])
	}
}

// cmdSchema: schema FILE validates a report against the JSON Schema contract.
func cmdSchema(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: schema FILE")
	}
	c := jsonschema.NewCompiler()
	sch, err := c.Compile(schemaPathAbs())
	ts.Check(err)
	err = sch.Validate(readJSON(ts, args[0]))
	if (err == nil) == neg {
		ts.Fatalf("%s: schema validation: %v", args[0], err)
	}
}

var schemaAbs string

func schemaPathAbs() string {
	if schemaAbs == "" {
		wd, _ := os.Getwd()
		schemaAbs = wd + "/" + schemaPath
	}
	return schemaAbs
}
