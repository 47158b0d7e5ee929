package diag

import "fmt"

// InternalError is a failure of rocketops itself, not of the input: a valid spec the planner or the
// blueprints cannot handle, an embedded asset that does not load. Commands exit 2 on one and never
// present it as a finding about the spec. Branch on it with errors.As.
type InternalError struct {
	What string // what rocketops was doing
	Err  error  // what went wrong, nil when What says it all
}

func (e *InternalError) Error() string {
	if e.Err == nil {
		return "internal error: " + e.What
	}
	return "internal error: " + e.What + ": " + e.Err.Error()
}

func (e *InternalError) Unwrap() error { return e.Err }

// Internal wraps err as an internal error while doing what.
func Internal(err error, what string, args ...any) error {
	return &InternalError{What: fmt.Sprintf(what, args...), Err: err}
}
