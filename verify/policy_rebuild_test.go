package verify

import "testing"

// TestPolicyRequireRebuild: `require: rebuild` (alone, in a list, or as a
// mapping key) makes the rebuild mandatory; a run without --rebuild then
// rebuilds with autoreconf. Unknown words and keys are errors.
func TestPolicyRequireRebuild(t *testing.T) {
	for _, doc := range []string{"require: rebuild\n", "require: [signature, rebuild]\n", "require:\n  rebuild: true\n"} {
		p, err := ParsePolicy("p.yaml", []byte(doc))
		if err != nil {
			t.Fatalf("%q: %v", doc, err)
		}
		o := Options{Policy: p}
		o.withPolicy()
		if !p.Require.Rebuild || !o.Rebuild.Required || o.Rebuild.Mode != "autoreconf" {
			t.Errorf("%q: require %+v, rebuild %+v", doc, p.Require, o.Rebuild)
		}
	}
	o := Options{Rebuild: Rebuild{Mode: "dist", Required: true}}
	o.withPolicy()
	if o.Rebuild.Mode != "dist" {
		t.Errorf("a required rebuild overrode --rebuild=dist: %q", o.Rebuild.Mode)
	}
	for _, doc := range []string{"require: rebuilds\n", "require:\n  rebuld: true\n"} {
		if _, err := ParsePolicy("p.yaml", []byte(doc)); err == nil {
			t.Errorf("%q accepted", doc)
		}
	}
}
