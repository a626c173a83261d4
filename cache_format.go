package xacct

import (
	"fmt"
	"io"
)

// Format prints a Cache, a value as well as a pointer, as String does,
// whatever the verb. Without it fmt prints a Cache's fields, the wrapped
// provider's keys among them: a value's with any verb, a pointer's with
// %d; and with %s or %q even the fields behind a pointer field, so that
// no layout of the fields alone would keep them out.
func (c Cache) Format(f fmt.State, verb rune) {
	s := "xacct.Cache{}"
	if c.cacheState != nil {
		s = c.String()
	}
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s)
		return
	}
	io.WriteString(f, s)
}
