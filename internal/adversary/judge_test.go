package adversary

import "testing"

func TestJudge(t *testing.T) {
	v := Variant{ID: "x", Family: FamilyM4, Injected: []string{"m4/a.m4", "doc/a.txt"}, ExpectDefault: true, ExpectRebuild: true}
	nfd := Variant{ID: "n", Family: FamilyNewContent, Injected: []string{nfdUnicodeTest}, ExpectDefault: true}
	ctl := Variant{ID: "control", Family: FamilyControl}
	cases := []struct {
		name    string
		v       Variant
		json    string
		code    int
		rebuild bool
		caught  bool
		path    string
		sev     string
	}{
		{"file high and fail", v, `{"verdict":"fail","files":[{"path":"m4/a.m4","status":"only_in_tarball","class":"m4-modified","severity":"high","reason":"r"}]}`, 1, false, true, "m4/a.m4", "high"},
		{"fail but injected medium", v, `{"verdict":"fail","files":[{"path":"m4/a.m4","severity":"medium"},{"path":"other","severity":"critical"}]}`, 1, false, false, "m4/a.m4", "medium"},
		{"finding raises the second path", v, `{"verdict":"fail","files":[{"path":"m4/a.m4","severity":"low"},{"path":"doc/a.txt","severity":"medium"}],"findings":[{"rule":"TC501","severity":"critical","path":"doc/a.txt"}]}`, 1, true, true, "doc/a.txt", "medium"},
		{"pass", v, `{"verdict":"pass","files":[{"path":"m4/a.m4","severity":"high"}]}`, 0, false, false, "m4/a.m4", "high"},
		{"not listed", v, `{"verdict":"fail"}`, 1, false, false, "", ""},
		{"NFC spelling in the report", nfd, `{"verdict":"fail","files":[{"path":"` + nfcUnicodeTest + `","severity":"high"}]}`, 1, false, true, nfdUnicodeTest, "high"},
		{"NFD and NFC both listed", nfd, `{"verdict":"fail","files":[{"path":"` + nfcUnicodeTest + `","status":"only_in_git","severity":"low"},{"path":"` + nfdUnicodeTest + `","status":"only_in_tarball","severity":"medium"}]}`, 1, false, false, nfdUnicodeTest, "medium"},
		{"control false fail", ctl, `{"verdict":"fail"}`, 1, false, true, "", ""},
		{"control pass", ctl, `{"verdict":"pass"}`, 0, false, false, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o, err := Judge(tc.v, []byte(tc.json), tc.code, tc.rebuild)
			if err != nil {
				t.Fatal(err)
			}
			if o.Caught != tc.caught || o.Path != tc.path || o.Severity != tc.sev || o.ExitCode != tc.code || o.Rebuild != tc.rebuild {
				t.Errorf("got %+v; want caught=%v path=%q severity=%q", o, tc.caught, tc.path, tc.sev)
			}
			if want := tc.v.ExpectDefault; tc.rebuild {
				if o.Expected != tc.v.ExpectRebuild {
					t.Errorf("expected %v, want %v", o.Expected, tc.v.ExpectRebuild)
				}
			} else if o.Expected != want {
				t.Errorf("expected %v, want %v", o.Expected, want)
			}
		})
	}
	if _, err := Judge(v, []byte("{"), 1, false); err == nil {
		t.Error("a truncated report was accepted")
	}
}
