package recovered

import (
	"errors"
	"strings"
	"testing"
)

type secret struct{ key string }

func TestCall(t *testing.T) {
	t.Parallel()
	want := errors.New("fn's error")
	if p, err := Call(func() error { return want }); p != nil || err != want {
		t.Errorf("no panic: %+v, %v; want nil, fn's error", p, err)
	}

	p, err := Call(func() error {
		var s []int
		_ = s[len(want.Error())] // out of range: a runtime error
		return nil
	})
	if err != nil || p == nil || p.ValueType != "runtime.boundsError" ||
		p.Runtime != "runtime error: index out of range [10] with length 0" ||
		!strings.HasPrefix(p.Where, "github.com/xacct/xacct/internal/recovered.TestCall.func2 (") ||
		!strings.Contains(p.Where, "recovered_test.go:") {
		t.Errorf("runtime error: %+v, %v", p, err)
	}

	p, _ = Call(func() error { panic(secret{"AKIA-SECRET"}) })
	if p == nil || p.ValueType != "recovered.secret" || p.Runtime != "" || strings.Contains(p.Where, "AKIA-SECRET") {
		t.Errorf("a value: %+v; want its type only", p)
	}
}
