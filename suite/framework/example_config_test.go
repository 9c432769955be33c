package framework

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

func TestExampleConfigLoads(t *testing.T) {
	cfg, err := load(map[string]string{"config": "../../examples/target.yaml"}, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Target == "" || len(cfg.Login.Tasks) != 2 {
		t.Fatalf("example config = %+v", cfg)
	}
}

// TestReadmeLoginExamples: every YAML example of the README's login section
// is a valid configuration.
func TestReadmeLoginExamples(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatch(string(raw), -1)
	if len(blocks) < 4 {
		t.Fatalf("the README has %d YAML examples; want the 4 login examples", len(blocks))
	}
	for i, b := range blocks {
		path := filepath.Join(t.TempDir(), "example.yaml")
		if err := os.WriteFile(path, []byte(b[1]), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("AS_PASSWORD", "from-the-environment")
		if _, err := load(map[string]string{"config": path}, func(string) (string, bool) { return "", false }); err != nil {
			t.Errorf("README YAML example %d: %v\n%s", i+1, err, b[1])
		}
	}
}
