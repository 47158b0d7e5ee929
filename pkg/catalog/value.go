package catalog

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Causes: what is wrong with the text of a value, whatever the key.
var (
	// ErrLineBreak reports a carriage return or newline in a value, which
	// ends the property line.
	ErrLineBreak = errors.New("value contains a line break")
	// ErrInlineComment reports a "#" or "!" that looks like the start of a
	// comment; properties files only have whole-line comments.
	ErrInlineComment = errors.New("value contains an inline comment")
	// ErrWhitespace reports leading or trailing whitespace.
	ErrWhitespace = errors.New("value has leading or trailing whitespace")
)

// Problems: what RocketMQ would make of the value for this key.
var (
	// ErrNotNumber reports a value Java cannot parse as the key's number type.
	ErrNotNumber = errors.New("value is not a number")
	// ErrOutOfRange reports a whole number too large or small for the key's
	// Java type.
	ErrOutOfRange = errors.New("value is out of range")
	// ErrNotBoolean reports a boolean that is not exactly true or false.
	ErrNotBoolean = errors.New("value is not true or false")
	// ErrNotAllowed reports a value that is not one of an enum's names.
	ErrNotAllowed = errors.New("value is not an allowed value")
	// ErrClamped reports a number RocketMQ replaces with the nearest bound.
	ErrClamped = errors.New("value is outside the range RocketMQ uses")
	// ErrBadHours reports a deleteWhen that is not a list of hours.
	ErrBadHours = errors.New("value is not a list of hours")
)

// ValueError explains why RocketMQ would ignore or misread a value. Use
// errors.Is with the Err variables to tell the reasons apart, or errors.As to
// get the details.
type ValueError struct {
	// Value is the value as given to CheckValue.
	Value string
	// Cause is ErrLineBreak, ErrInlineComment or ErrWhitespace when the
	// text itself is at fault, else nil.
	Cause error
	// Problem says what RocketMQ makes of the value (ErrNotNumber,
	// ErrOutOfRange, ErrNotBoolean, ErrNotAllowed, ErrClamped, ErrBadHours),
	// or nil when only Cause applies.
	Problem error
	// Allowed lists the accepted values when Problem is ErrNotAllowed.
	Allowed []string

	msg string
}

// Error returns the explanation: lower case, no trailing period, with the
// value quoted.
func (e *ValueError) Error() string {
	if e.msg != "" {
		return e.msg
	}
	return errors.Join(e.Cause, e.Problem).Error()
}

// Unwrap returns Cause and Problem, whichever are set.
func (e *ValueError) Unwrap() []error {
	var errs []error
	for _, err := range []error{e.Cause, e.Problem} {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// enumValues are the keys whose String setter calls Enum.valueOf (or
// compares with constants), which accepts the exact name only.
var enumValues = map[string][]string{
	"brokerRole":          {"ASYNC_MASTER", "SYNC_MASTER", "SLAVE"},
	"flushDiskType":       {"ASYNC_FLUSH", "SYNC_FLUSH"},
	"metricsExporterType": {"DISABLE", "OTLP_GRPC", "PROM", "LOG"},
	"controllerType":      {"DLedger", "jRaft"},
}

// deleteWhen is compared hour by hour with the clock, and
// MessageStoreConfig's getter clamps diskMaxUsedSpaceRatio to its range.
const (
	deleteWhenKey = "deleteWhen"
	diskRatioKey  = "diskMaxUsedSpaceRatio"
	diskRatioMin  = 10
	diskRatioMax  = 95
)

var (
	// javaDouble is the grammar of Double.parseDouble without the
	// surrounding whitespace it ignores.
	javaDouble = regexp.MustCompile(`^[+-]?(?:NaN|Infinity|` +
		`(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|` +
		`0[xX](?:[0-9a-fA-F]+\.?|[0-9a-fA-F]*\.[0-9a-fA-F]+)[pP][+-]?[0-9]+)[fFdD]?)$`)
	decimalPattern = regexp.MustCompile(`^[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$`)
)

// CheckValue reports why value would be ignored or misread by RocketMQ when
// set for key k, or nil. The error is a *ValueError. Keys with an unknown
// Type get the checks on the text only.
func CheckValue(k Key, value string) error {
	if strings.ContainsAny(value, "\r\n") {
		return &ValueError{
			Value: value,
			Cause: ErrLineBreak,
			msg:   fmt.Sprintf("value contains a line break, which ends the property: %q", value),
		}
	}

	// properties2Object trims String values and Double.parseDouble skips
	// surrounding whitespace; integers and booleans get the text as is.
	trims := trimsValue(k.Type)
	seen := value
	if trims {
		seen = strings.TrimFunc(value, isJavaTrimmed)
	}
	v := judge(k, seen, value)
	fail := func(cause error, msg string) error {
		return &ValueError{Value: value, Cause: cause, Problem: v.problem, Allowed: v.allowed, msg: msg}
	}

	if hasInlineComment(value) {
		return fail(ErrInlineComment, "value contains an inline comment, which RocketMQ keeps as part of the value: "+v.explain(value))
	}

	lead, trail := surroundingSpace(value)
	if lead || trail {
		var where string
		switch {
		case lead && trail:
			where = "leading and trailing"
		case lead:
			where = "leading"
		default:
			where = "trailing"
		}
		msg := "value has " + where + " whitespace"
		// Only blame the whitespace when it is what breaks the value.
		if v.problem != nil && trail && !trims && judge(k, strings.TrimFunc(value, unicode.IsSpace), value).problem == nil {
			msg += ", which RocketMQ keeps"
		}
		return fail(ErrWhitespace, msg+": "+v.explain(value))
	}

	if v.problem != nil {
		return fail(nil, v.detail)
	}
	return nil
}

// verdict is what RocketMQ makes of a value; the zero verdict accepts it.
type verdict struct {
	problem error
	allowed []string
	detail  string // the explanation, quoting the value as given
}

// explain returns the detail, or just the quoted value when the text is the
// only thing wrong.
func (v verdict) explain(value string) string {
	if v.detail != "" {
		return v.detail
	}
	return strconv.Quote(value)
}

func trimsValue(typ string) bool {
	return typ == "double" || strings.Contains(typ, "String")
}

// isJavaTrimmed matches what String.trim removes: every char up to space.
func isJavaTrimmed(r rune) bool {
	return r <= ' '
}

func surroundingSpace(v string) (lead, trail bool) {
	if v == "" {
		return false, false
	}
	first, _ := utf8.DecodeRuneInString(v)
	last, _ := utf8.DecodeLastRuneInString(v)
	return unicode.IsSpace(first), unicode.IsSpace(last)
}

// hasInlineComment reports a "#" or "!" at the start of the value or after
// whitespace: written like that it was meant as a comment, but Properties
// only knows comments that start a line.
func hasInlineComment(v string) bool {
	prevSpace := true
	for _, r := range v {
		if (r == '#' || r == '!') && prevSpace {
			return true
		}
		prevSpace = unicode.IsSpace(r)
	}
	return false
}

// judge checks what RocketMQ would make of seen, the value after any trimming
// RocketMQ does, and explains it quoting shown, the value as given.
func judge(k Key, seen, shown string) verdict {
	if k.Type != "" {
		// Overloaded setters each get their try, so one accepting type
		// is enough; otherwise report the first.
		var first verdict
		for typ := range strings.SplitSeq(k.Type, "|") {
			v := judgeType(typ, seen, shown)
			if v.problem == nil {
				first = v
				break
			}
			if first.problem == nil {
				first = v
			}
		}
		if first.problem != nil {
			return first
		}
	}

	if names, ok := enumValues[k.Name]; ok {
		for _, n := range names {
			if seen == n {
				return verdict{}
			}
		}
		return verdict{
			problem: ErrNotAllowed,
			allowed: slices.Clone(names),
			detail:  fmt.Sprintf("%q is not one of %s", shown, strings.Join(names, ", ")),
		}
	}
	if m, ok := minimums[k.Name]; ok {
		if n, err := strconv.ParseInt(seen, 10, 64); err == nil && n < m.min {
			return verdict{problem: ErrOutOfRange, detail: fmt.Sprintf("%q is less than %d: %s", shown, m.min, m.why)}
		}
	}
	switch k.Name {
	case diskRatioKey:
		n, err := strconv.ParseInt(seen, 10, 64)
		if err != nil {
			break // the type check has spoken, or the type is unknown
		}
		if n < diskRatioMin || n > diskRatioMax {
			bound := int64(diskRatioMin)
			if n > diskRatioMax {
				bound = diskRatioMax
			}
			return verdict{
				problem: ErrClamped,
				detail:  fmt.Sprintf("%q is outside %d..%d, so RocketMQ clamps it to %d", shown, diskRatioMin, diskRatioMax, bound),
			}
		}
	case deleteWhenKey:
		if !deleteHours(seen) {
			return verdict{
				problem: ErrBadHours,
				detail:  fmt.Sprintf(`%q is not a list of hours 0-23 separated by ";", e.g. "04" or "4;16"`, shown),
			}
		}
	}
	return verdict{}
}

// minimums are the smallest values of numeric keys below which RocketMQ misbehaves rather than
// refusing them (MessageStoreConfig at rocketmq-all-4.9.8 and 5.3.3 takes any int).
var minimums = map[string]struct {
	min int64
	why string
}{
	// CommitLog.deleteExpiredFile keeps files for fileReservedTime * 3600 * 1000 ms.
	"fileReservedTime":           {1, "commitlog files would be deleted as soon as they are full"},
	"mappedFileSizeCommitLog":    {1 << 20, "commitlog files that small cannot hold a message"},
	"mappedFileSizeConsumeQueue": {20, "a consume queue file must hold at least one 20-byte entry"},
	"maxMessageSize":             {1, "every message would be refused"},
}

// deleteHours reads deleteWhen the way UtilAll.isItTimeToDo does (apache/rocketmq common/.../UtilAll.java,
// rocketmq-all-4.9.8 and 5.3.3): when.split(";"), which drops trailing empty parts, then
// Integer.parseInt of each part compared with the hour of the day. A part parseInt refuses throws in
// the clean-up task, and an hour outside 0-23 never comes, so both are refused here.
func deleteHours(when string) bool {
	parts := strings.Split(when, ";")
	for len(parts) > 1 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	for _, part := range parts {
		// Base 10 with an optional sign is what Integer.parseInt takes (ASCII digits).
		h, err := strconv.ParseInt(part, 10, 32)
		if err != nil || h < 0 || h > 23 {
			return false
		}
	}
	return true
}

// judgeType mirrors the parsing properties2Object does for one setter
// parameter type; shown is the value as given, for the message.
func judgeType(typ, v, shown string) verdict {
	switch typ {
	case "int", "long":
		bitSize, lo, hi := 32, int64(math.MinInt32), int64(math.MaxInt32)
		if typ == "long" {
			bitSize, lo, hi = 64, math.MinInt64, math.MaxInt64
		}
		// Base 10 with an optional sign and no underscores is what
		// Integer.parseInt and Long.parseLong accept, for ASCII digits.
		_, err := strconv.ParseInt(v, 10, bitSize)
		switch {
		case err == nil:
			return verdict{}
		case errors.Is(err, strconv.ErrRange):
			return verdict{problem: ErrOutOfRange, detail: fmt.Sprintf("%q is out of %s range (%d..%d)", shown, typ, lo, hi)}
		case decimalPattern.MatchString(v):
			return verdict{problem: ErrNotNumber, detail: fmt.Sprintf("%q is not a whole number", shown)}
		}
		return verdict{problem: ErrNotNumber, detail: fmt.Sprintf("%q is not a number", shown)}
	case "double":
		if javaDouble.MatchString(v) {
			return verdict{}
		}
		return verdict{problem: ErrNotNumber, detail: fmt.Sprintf("%q is not a number", shown)}
	case "boolean":
		switch {
		case v == "true" || v == "false":
			return verdict{}
		case strings.EqualFold(v, "true"):
			return verdict{problem: ErrNotBoolean, detail: fmt.Sprintf("%q is not true or false, though Java ignores case and reads it as true", shown)}
		}
		return verdict{problem: ErrNotBoolean, detail: fmt.Sprintf("%q is not true or false, and Java reads it as false", shown)}
	}
	return verdict{}
}
