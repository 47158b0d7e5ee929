package diag_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/diag"
)

func TestInternalError(t *testing.T) {
	cause := errors.New("field missing")
	err := fmt.Errorf("compile: %w", diag.Internal(cause, "plan %s", "prod"))
	var ie *diag.InternalError
	require.ErrorAs(t, err, &ie, "found through wrapping, not by its text")
	assert.Equal(t, "plan prod", ie.What)
	assert.ErrorIs(t, err, cause)
	assert.Equal(t, "compile: internal error: plan prod: field missing", err.Error())
	assert.Equal(t, "internal error: no plan", diag.Internal(nil, "no plan").Error())

	var plain *diag.InternalError
	assert.False(t, errors.As(errors.New("internal error: only the words"), &plain), "text alone does not make an internal error")
}

func TestListInternal(t *testing.T) {
	assert.False(t, diag.List{{Message: "a finding"}}.Internal())
	assert.True(t, diag.List{{Message: "a finding"}, {Message: "internal error: x", Internal: true}}.Internal())
	assert.False(t, diag.List{{Message: "internal error: only the words"}}.Internal(), "the flag decides, not the text")
}
