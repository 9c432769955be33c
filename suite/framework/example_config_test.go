package framework

import "testing"

func TestExampleConfigLoads(t *testing.T) {
	cfg, err := load(map[string]string{"config": "../../examples/target.yaml"}, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Target == "" || len(cfg.Login.Tasks) != 2 {
		t.Fatalf("example config = %+v", cfg)
	}
}
