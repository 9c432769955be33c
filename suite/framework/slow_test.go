package framework

import (
	"testing"
	"time"
)

func TestTwoWaits(t *testing.T) {
	tests := []struct {
		value   string
		w1, w2  time.Duration
		wantErr bool
	}{
		{defaultCodeLifetimeWaits, 11 * time.Minute, 61 * time.Minute, false},
		{"2s,4s", 2 * time.Second, 4 * time.Second, false},
		{" 1m , 1m ", time.Minute, time.Minute, false},
		{"4s,2s", 0, 0, true},
		{"5s", 0, 0, true},
		{"x,2s", 0, 0, true},
		{"", 0, 0, true},
	}
	for _, tt := range tests {
		w1, w2, err := twoWaits(tt.value)
		if (err != nil) != tt.wantErr || w1 != tt.w1 || w2 != tt.w2 {
			t.Errorf("twoWaits(%q) = %s, %s, %v; want %s, %s, error %v", tt.value, w1, w2, err, tt.w1, tt.w2, tt.wantErr)
		}
	}
}
