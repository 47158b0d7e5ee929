package kube

import (
	"bytes"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/json"
	"sigs.k8s.io/yaml"
)

// DecodeYAML splits a multi-document YAML stream into objects, in stream order.
//
// Documents are separated by lines that are exactly "---" (optionally followed by a comment). Empty documents
// and documents holding only comments are skipped. Every other document must be a mapping with apiVersion and
// kind. Errors name the 1-based document number and the line it starts on; line numbers in parser messages
// count from the top of the stream too. Numbering counts every document, empty ones included, except the blank
// preamble before a leading "---", which YAML does not count as a document either.
// Duplicate keys are an error, because YAML would otherwise keep one of the values silently.
func DecodeYAML(data []byte) ([]*unstructured.Unstructured, error) {
	var objs []*unstructured.Unstructured
	for _, doc := range splitYAML(data) {
		if doc.err != nil {
			return nil, fmt.Errorf("kube: document %d (starting at line %d): %w", doc.index, doc.line, doc.err)
		}
		// Padding the document with the lines before it makes the parser's line numbers count from the top
		// of the stream, like the start line reported next to them.
		body := append(bytes.Repeat([]byte("\n"), doc.line-1), doc.body...)
		obj, err := decodeDocument(body)
		if err != nil {
			return nil, fmt.Errorf("kube: document %d (starting at line %d): %w", doc.index, doc.line, err)
		}
		if obj != nil {
			objs = append(objs, obj)
		}
	}
	return objs, nil
}

// decodeDocument turns one YAML document into an object; it returns nil, nil for an empty document.
func decodeDocument(body []byte) (*unstructured.Unstructured, error) {
	js, err := yaml.YAMLToJSONStrict(body)
	if err != nil {
		return nil, err
	}
	if js = bytes.TrimSpace(js); len(js) == 0 || string(js) == "null" {
		return nil, nil
	}
	var v any
	// apimachinery's json keeps whole numbers as int64, which is what unstructured accessors expect.
	if err := json.Unmarshal(js, &v); err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		what := "a scalar"
		if _, isList := v.([]any); isList {
			what = "a list"
		}
		return nil, fmt.Errorf("want a mapping with apiVersion and kind, got %s", what)
	}
	obj := &unstructured.Unstructured{Object: m}
	if obj.GetAPIVersion() == "" || obj.GetKind() == "" {
		return nil, errors.New("apiVersion and kind are required")
	}
	return obj, nil
}

// yamlDoc is one document of a stream: its 1-based number, the line it starts on, and its text.
type yamlDoc struct {
	index int
	line  int
	body  []byte
	err   error
}

// splitYAML cuts a stream at "---" lines, keeping track of where each document starts so errors can point at it.
func splitYAML(data []byte) []yamlDoc {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte-order mark is not content
	var (
		docs    []yamlDoc
		cur     = yamlDoc{index: 1, line: 1}
		started bool // a "---" has been seen
		lineNo  int
	)
	for len(data) > 0 {
		lineNo++
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			data = nil
		}
		sep, err := separator(line)
		if !sep && err == nil {
			cur.body = append(cur.body, line...)
			continue
		}
		// A blank preamble before the first "---" is not a document; anything else before it is.
		if started || len(bytes.TrimSpace(stripComments(cur.body))) > 0 {
			docs = append(docs, cur)
			cur = yamlDoc{index: cur.index + 1}
		}
		started = true
		cur.line = lineNo + 1
		cur.body = nil
		if err != nil {
			cur.line = lineNo
			cur.err = err
			return append(docs, cur)
		}
	}
	return append(docs, cur)
}

// separator reports whether line is a document separator. "---" followed by content on the same line is valid
// YAML but never produced by the tools rocketops reads, so it is reported instead of half-understood.
func separator(line []byte) (bool, error) {
	line = bytes.TrimRight(line, "\r\n")
	rest, ok := bytes.CutPrefix(line, []byte("---"))
	if !ok {
		return false, nil
	}
	if len(rest) == 0 {
		return true, nil
	}
	if rest[0] != ' ' && rest[0] != '\t' {
		return false, nil // "----" or "---x" is ordinary text
	}
	if t := bytes.TrimSpace(rest); len(t) == 0 || t[0] == '#' {
		return true, nil
	}
	return false, errors.New(`content after "---" on the same line is not supported`)
}

// stripComments drops full-line comments, so a commented-out preamble counts as blank.
func stripComments(b []byte) []byte {
	var out []byte
	for _, l := range bytes.SplitAfter(b, []byte("\n")) {
		if t := bytes.TrimSpace(l); len(t) > 0 && t[0] != '#' {
			out = append(out, l...)
		}
	}
	return out
}
