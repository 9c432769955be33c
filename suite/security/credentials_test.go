package security

import "testing"

func TestEntropy(t *testing.T) {
	tests := []struct {
		name    string
		samples []string
		min     float64
		max     float64
	}{
		{"16 hex characters", []string{"0a1b2c3d4e5f6a7b", "9f8e7d6c5b4a3f2e", "1234567890abcdef"}, 60, 64},
		{"43 base64url characters", []string{"q8Zr3kP0uX1vW2yT4sR5nM6lK7jH8gF9dS0aZ-_bC3e", "Lp9oIu8yTr7eWq6aSd5fGh4jKl3zXc2vBn1mM0-_QwE", "x1Y2z3A4b5C6d7E8f9G0h1I2j3K4l5M6n7O8p9Q0r_-"}, 250, 258},
		// The underscore makes the alphabet base64url: 16 varying positions of 6 bits.
		{"a shared prefix does not count", []string{"code_0a1b2c3d4e5f6a7b", "code_9f8e7d6c5b4a3f2e", "code_1234567890abcdef"}, 90, 96},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if bits, alphabet := entropy(tt.samples); bits < tt.min || bits > tt.max {
				t.Errorf("entropy = %.1f bits (%s), want between %.0f and %.0f", bits, alphabet, tt.min, tt.max)
			}
		})
	}
}

func TestSequential(t *testing.T) {
	if !sequential([]string{"1001", "1002", "1003"}) {
		t.Error("1001, 1002, 1003 not seen as sequential")
	}
	if sequential([]string{"1001", "99999999999", "1003"}) || sequential([]string{"abc", "abd"}) {
		t.Error("far apart or non-numeric samples seen as sequential")
	}
}
