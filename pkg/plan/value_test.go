package plan

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type valueInner struct {
	A string `json:"a,omitempty"`
	B []int  `json:"b"`
}

type valueEdges struct {
	Name     string `json:"name"`
	Bad      string `json:"bad"`
	Skip     string `json:"-"`
	NoTag    int
	Neg      float64           `json:"neg,omitempty"`
	Zero     float64           `json:"zero,omitempty"`
	Ptr      *valueInner       `json:"ptr"`
	NilPtr   *valueInner       `json:"nilPtr"`
	NilOmit  *valueInner       `json:"nilOmit,omitempty"`
	NilSlice []string          `json:"nilSlice"`
	Empty    []string          `json:"empty"`
	NilMap   map[string]string `json:"nilMap"`
	Map      map[string]any    `json:"map"`
	Raw      json.RawMessage   `json:"raw"`
	NilRaw   json.RawMessage   `json:"nilRaw"`
	Bytes    []byte            `json:"bytes"`
	When     time.Duration     `json:"when"`
	Stamp    time.Time         `json:"stamp"`
	F32      float32           `json:"f32"`
	Big      int64             `json:"big"`
	U        uint16            `json:"u,omitempty"`
	Arr      [2]bool           `json:"arr"`
	Any      any               `json:"any"`
	private  string
}

// TestValueIsJSONOnEdges holds the plan encoder to json.Marshal then json.Unmarshal on the shapes the
// plan's types could take: omitempty of every kind, nil against empty, invalid UTF-8, raw JSON,
// bytes, types with their own JSON (time.Time), float32, large integers and interfaces.
func TestValueIsJSONOnEdges(t *testing.T) {
	in := valueEdges{
		Name: "n", Bad: "a\xffb\xe2\x82", Skip: "x", NoTag: 3, Neg: math.Copysign(0, -1),
		Ptr: &valueInner{B: []int{1, 2}}, Empty: []string{}, Map: map[string]any{"k\xff": []any{1, "x", nil}},
		Raw: json.RawMessage(` {"a": [1, 2.5, "x"]} `), Bytes: []byte("hi"), When: time.Second,
		Stamp: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), F32: 0.1, Big: 1<<62 + 1, Arr: [2]bool{true, false},
		Any: &valueInner{A: "y"}, private: "p",
	}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	var want any
	require.NoError(t, json.Unmarshal(b, &want))
	got, err := valueOf(in, nil)
	require.NoError(t, err)
	require.Equal(t, want, got)

	// Fragments: the raw field's decoded value and every string go through the hook; nil raw is null,
	// untouched.
	var seen []any
	got, err = valueOf(in, func(v any) any {
		if s, ok := v.(string); ok {
			return "string " + s
		}
		seen = append(seen, v)
		return "fragment"
	})
	require.NoError(t, err)
	require.Equal(t, "fragment", got.(map[string]any)["raw"])
	require.Nil(t, got.(map[string]any)["nilRaw"])
	require.Equal(t, []any{map[string]any{"a": []any{1.0, 2.5, "x"}}}, seen)
	require.Equal(t, "string n", got.(map[string]any)["name"])
	require.Equal(t, "string y", got.(map[string]any)["any"].(map[string]any)["a"])

	// What JSON refuses, the encoder refuses.
	_, err = valueOf(struct {
		C chan int `json:"c"`
	}{C: make(chan int)}, nil)
	require.Error(t, err)
	_, err = valueOf(struct {
		R json.RawMessage `json:"r"`
	}{R: json.RawMessage(`{`)}, nil)
	require.Error(t, err)
}
