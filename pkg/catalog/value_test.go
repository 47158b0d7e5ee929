package catalog_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketops/rocketops/pkg/catalog"
)

func brokerKey(t *testing.T, name string) catalog.Key {
	t.Helper()
	k, ok := catalog.Lookup(catalog.Broker, "5.3.3", name)
	require.True(t, ok, "broker key %s", name)
	return k
}

func TestCheckValue(t *testing.T) {
	controllerType, ok := catalog.Lookup(catalog.Controller, "5.3.3", "controllerType")
	require.True(t, ok)
	controllerMetrics, ok := catalog.Find(catalog.Controller, "metricsExporterType")
	require.True(t, ok)

	tests := []struct {
		name    string
		key     catalog.Key
		value   string
		cause   error  // nil when the text is fine
		problem error  // nil when RocketMQ reads the value as meant
		msg     string // "" when the value is accepted
	}{
		// Text, whatever the type.
		{name: "newline", key: brokerKey(t, "brokerClusterName"), value: "a\nb",
			cause: catalog.ErrLineBreak, msg: `value contains a line break, which ends the property: "a\nb"`},
		{name: "carriage return", key: brokerKey(t, "listenPort"), value: "10911\r",
			cause: catalog.ErrLineBreak, msg: `value contains a line break, which ends the property: "10911\r"`},
		{name: "hash comment on enum", key: brokerKey(t, "flushDiskType"), value: "ASYNC_FLUSH # fast",
			cause: catalog.ErrInlineComment, problem: catalog.ErrNotAllowed,
			msg: `value contains an inline comment, which RocketMQ keeps as part of the value: "ASYNC_FLUSH # fast" is not one of ASYNC_FLUSH, SYNC_FLUSH`},
		{name: "bang comment on int", key: brokerKey(t, "listenPort"), value: "10911 ! port",
			cause: catalog.ErrInlineComment, problem: catalog.ErrNotNumber,
			msg: `value contains an inline comment, which RocketMQ keeps as part of the value: "10911 ! port" is not a number`},
		{name: "comment on string", key: brokerKey(t, "brokerClusterName"), value: "prod # main",
			cause: catalog.ErrInlineComment,
			msg:   `value contains an inline comment, which RocketMQ keeps as part of the value: "prod # main"`},
		{name: "comment as whole value", key: brokerKey(t, "brokerClusterName"), value: "# none",
			cause: catalog.ErrInlineComment,
			msg:   `value contains an inline comment, which RocketMQ keeps as part of the value: "# none"`},
		{name: "hash inside a word is data", key: brokerKey(t, "brokerClusterName"), value: "team#1"},
		{name: "bang inside a word is data", key: brokerKey(t, "brokerClusterName"), value: "wow!"},
		{name: "trailing space on int", key: brokerKey(t, "listenPort"), value: "10911 ",
			cause: catalog.ErrWhitespace, problem: catalog.ErrNotNumber,
			msg: `value has trailing whitespace, which RocketMQ keeps: "10911 " is not a number`},
		{name: "trailing tab on long", key: brokerKey(t, "brokerId"), value: "0\t",
			cause: catalog.ErrWhitespace, problem: catalog.ErrNotNumber,
			msg: `value has trailing whitespace, which RocketMQ keeps: "0\t" is not a number`},
		{name: "leading space on int", key: brokerKey(t, "listenPort"), value: " 10911",
			cause: catalog.ErrWhitespace, problem: catalog.ErrNotNumber,
			msg: `value has leading whitespace: " 10911" is not a number`},
		{name: "whitespace is not the only fault", key: brokerKey(t, "listenPort"), value: "port ",
			cause: catalog.ErrWhitespace, problem: catalog.ErrNotNumber,
			msg: `value has trailing whitespace: "port " is not a number`},
		{name: "trailing space on boolean", key: brokerKey(t, "traceTopicEnable"), value: "true ",
			cause: catalog.ErrWhitespace, problem: catalog.ErrNotBoolean,
			msg: `value has trailing whitespace, which RocketMQ keeps: "true " is not true or false, and Java reads it as false`},
		{name: "trailing space on string", key: brokerKey(t, "brokerClusterName"), value: "prod ",
			cause: catalog.ErrWhitespace, msg: `value has trailing whitespace: "prod "`},
		{name: "both sides on enum trimmed by RocketMQ", key: brokerKey(t, "brokerRole"), value: " SLAVE ",
			cause: catalog.ErrWhitespace, msg: `value has leading and trailing whitespace: " SLAVE "`},
		{name: "whitespace and bad enum", key: brokerKey(t, "brokerRole"), value: "slave ",
			cause: catalog.ErrWhitespace, problem: catalog.ErrNotAllowed,
			msg: `value has trailing whitespace: "slave " is not one of ASYNC_MASTER, SYNC_MASTER, SLAVE`},
		{name: "trailing space on double", key: brokerKey(t, "logicalDiskSpaceCleanForciblyThreshold"), value: "0.8 ",
			cause: catalog.ErrWhitespace, msg: `value has trailing whitespace: "0.8 "`},
		{name: "plain string", key: brokerKey(t, "brokerClusterName"), value: "DefaultCluster"},
		{name: "empty string", key: brokerKey(t, "brokerClusterName"), value: ""},

		// int and long, as Integer.parseInt and Long.parseLong read them.
		{name: "int", key: brokerKey(t, "listenPort"), value: "10911"},
		{name: "int with plus sign", key: brokerKey(t, "listenPort"), value: "+10911"},
		{name: "negative int", key: brokerKey(t, "listenPort"), value: "-1"},
		{name: "int leading zeros", key: brokerKey(t, "listenPort"), value: "010911"},
		{name: "int max", key: brokerKey(t, "listenPort"), value: "2147483647"},
		{name: "int min", key: brokerKey(t, "listenPort"), value: "-2147483648"},
		{name: "int too large", key: brokerKey(t, "listenPort"), value: "2147483648",
			problem: catalog.ErrOutOfRange, msg: `"2147483648" is out of int range (-2147483648..2147483647)`},
		{name: "int too small", key: brokerKey(t, "listenPort"), value: "-2147483649",
			problem: catalog.ErrOutOfRange, msg: `"-2147483649" is out of int range (-2147483648..2147483647)`},
		{name: "int decimal", key: brokerKey(t, "listenPort"), value: "1.5",
			problem: catalog.ErrNotNumber, msg: `"1.5" is not a whole number`},
		{name: "int word", key: brokerKey(t, "listenPort"), value: "abc",
			problem: catalog.ErrNotNumber, msg: `"abc" is not a number`},
		{name: "int empty", key: brokerKey(t, "listenPort"), value: "",
			problem: catalog.ErrNotNumber, msg: `"" is not a number`},
		{name: "int sign only", key: brokerKey(t, "listenPort"), value: "+",
			problem: catalog.ErrNotNumber, msg: `"+" is not a number`},
		{name: "int hex", key: brokerKey(t, "listenPort"), value: "0x10",
			problem: catalog.ErrNotNumber, msg: `"0x10" is not a number`},
		{name: "int underscore", key: brokerKey(t, "listenPort"), value: "10_911",
			problem: catalog.ErrNotNumber, msg: `"10_911" is not a number`},
		{name: "long beyond int", key: brokerKey(t, "brokerId"), value: "3000000000"},
		{name: "long max", key: brokerKey(t, "brokerId"), value: "9223372036854775807"},
		{name: "long too large", key: brokerKey(t, "brokerId"), value: "9223372036854775808",
			problem: catalog.ErrOutOfRange, msg: `"9223372036854775808" is out of long range (-9223372036854775808..9223372036854775807)`},
		{name: "long with L suffix", key: brokerKey(t, "brokerId"), value: "1L",
			problem: catalog.ErrNotNumber, msg: `"1L" is not a number`},

		// boolean, as Boolean.parseBoolean reads it.
		{name: "true", key: brokerKey(t, "traceTopicEnable"), value: "true"},
		{name: "false", key: brokerKey(t, "traceTopicEnable"), value: "false"},
		{name: "yes", key: brokerKey(t, "traceTopicEnable"), value: "yes",
			problem: catalog.ErrNotBoolean, msg: `"yes" is not true or false, and Java reads it as false`},
		{name: "one", key: brokerKey(t, "traceTopicEnable"), value: "1",
			problem: catalog.ErrNotBoolean, msg: `"1" is not true or false, and Java reads it as false`},
		{name: "upper-case true", key: brokerKey(t, "traceTopicEnable"), value: "TRUE",
			problem: catalog.ErrNotBoolean, msg: `"TRUE" is not true or false, though Java ignores case and reads it as true`},
		{name: "upper-case false", key: brokerKey(t, "traceTopicEnable"), value: "False",
			problem: catalog.ErrNotBoolean, msg: `"False" is not true or false, and Java reads it as false`},

		// double, as Double.parseDouble reads it.
		{name: "double", key: brokerKey(t, "logicalDiskSpaceCleanForciblyThreshold"), value: "0.8"},
		{name: "double integer", key: brokerKey(t, "logicalDiskSpaceCleanForciblyThreshold"), value: "1"},
		{name: "double leading dot", key: brokerKey(t, "logicalDiskSpaceCleanForciblyThreshold"), value: ".5"},
		{name: "double exponent and suffix", key: brokerKey(t, "logicalDiskSpaceCleanForciblyThreshold"), value: "8e-1d"},
		{name: "double hex", key: brokerKey(t, "logicalDiskSpaceCleanForciblyThreshold"), value: "0x1p-1"},
		{name: "double word", key: brokerKey(t, "logicalDiskSpaceCleanForciblyThreshold"), value: "high",
			problem: catalog.ErrNotNumber, msg: `"high" is not a number`},
		{name: "double comma", key: brokerKey(t, "logicalDiskSpaceCleanForciblyThreshold"), value: "0,8",
			problem: catalog.ErrNotNumber, msg: `"0,8" is not a number`},
		{name: "double lower-case infinity", key: brokerKey(t, "logicalDiskSpaceCleanForciblyThreshold"), value: "inf",
			problem: catalog.ErrNotNumber, msg: `"inf" is not a number`},

		// Enums take the exact constant name.
		{name: "brokerRole", key: brokerKey(t, "brokerRole"), value: "SYNC_MASTER"},
		{name: "brokerRole lower case", key: brokerKey(t, "brokerRole"), value: "slave",
			problem: catalog.ErrNotAllowed, msg: `"slave" is not one of ASYNC_MASTER, SYNC_MASTER, SLAVE`},
		{name: "flushDiskType", key: brokerKey(t, "flushDiskType"), value: "SYNC_FLUSH"},
		{name: "flushDiskType unknown", key: brokerKey(t, "flushDiskType"), value: "FAST",
			problem: catalog.ErrNotAllowed, msg: `"FAST" is not one of ASYNC_FLUSH, SYNC_FLUSH`},
		{name: "broker metricsExporterType", key: brokerKey(t, "metricsExporterType"), value: "PROM"},
		{name: "broker metricsExporterType number", key: brokerKey(t, "metricsExporterType"), value: "2",
			problem: catalog.ErrNotAllowed, msg: `"2" is not one of DISABLE, OTLP_GRPC, PROM, LOG`},
		{name: "controller metricsExporterType", key: controllerMetrics, value: "OTLP_GRPC"},
		{name: "controller metricsExporterType lower case", key: controllerMetrics, value: "prom",
			problem: catalog.ErrNotAllowed, msg: `"prom" is not one of DISABLE, OTLP_GRPC, PROM, LOG`},
		{name: "controllerType jRaft", key: controllerType, value: "jRaft"},
		{name: "controllerType DLedger", key: controllerType, value: "DLedger"},
		{name: "controllerType constant name", key: controllerType, value: "DLEDGER_CONTROLLER",
			problem: catalog.ErrNotAllowed, msg: `"DLEDGER_CONTROLLER" is not one of DLedger, jRaft`},

		// diskMaxUsedSpaceRatio is clamped to 10..95.
		{name: "ratio lowest", key: brokerKey(t, "diskMaxUsedSpaceRatio"), value: "10"},
		{name: "ratio highest", key: brokerKey(t, "diskMaxUsedSpaceRatio"), value: "95"},
		{name: "ratio too high", key: brokerKey(t, "diskMaxUsedSpaceRatio"), value: "99",
			problem: catalog.ErrClamped, msg: `"99" is outside 10..95, so RocketMQ clamps it to 95`},
		{name: "ratio too low", key: brokerKey(t, "diskMaxUsedSpaceRatio"), value: "9",
			problem: catalog.ErrClamped, msg: `"9" is outside 10..95, so RocketMQ clamps it to 10`},
		{name: "ratio not a number", key: brokerKey(t, "diskMaxUsedSpaceRatio"), value: "75%",
			problem: catalog.ErrNotNumber, msg: `"75%" is not a number`},

		// deleteWhen is read by UtilAll.isItTimeToDo: split on ";" (trailing empty parts dropped), then
		// Integer.parseInt of each part, compared with the hour of the day.
		{name: "deleteWhen one hour", key: brokerKey(t, "deleteWhen"), value: "04"},
		{name: "deleteWhen two hours", key: brokerKey(t, "deleteWhen"), value: "04;16"},
		{name: "deleteWhen last hour", key: brokerKey(t, "deleteWhen"), value: "00;23"},
		{name: "deleteWhen one digit: parseInt reads it", key: brokerKey(t, "deleteWhen"), value: "4"},
		{name: "deleteWhen plus sign: parseInt reads it", key: brokerKey(t, "deleteWhen"), value: "+4"},
		{name: "deleteWhen trailing separator: split drops it", key: brokerKey(t, "deleteWhen"), value: "04;"},
		{name: "deleteWhen hour 24 never comes", key: brokerKey(t, "deleteWhen"), value: "24",
			problem: catalog.ErrBadHours, msg: `"24" is not a list of hours 0-23 separated by ";", e.g. "04" or "4;16"`},
		{name: "deleteWhen negative hour never comes", key: brokerKey(t, "deleteWhen"), value: "-1",
			problem: catalog.ErrBadHours, msg: `"-1" is not a list of hours 0-23 separated by ";", e.g. "04" or "4;16"`},
		{name: "deleteWhen comma: parseInt throws", key: brokerKey(t, "deleteWhen"), value: "04,16",
			problem: catalog.ErrBadHours, msg: `"04,16" is not a list of hours 0-23 separated by ";", e.g. "04" or "4;16"`},
		{name: "deleteWhen space after the separator: parseInt throws", key: brokerKey(t, "deleteWhen"), value: "04; 16",
			problem: catalog.ErrBadHours, msg: `"04; 16" is not a list of hours 0-23 separated by ";", e.g. "04" or "4;16"`},
		{name: "deleteWhen leading separator: parseInt of an empty part throws", key: brokerKey(t, "deleteWhen"), value: ";04",
			problem: catalog.ErrBadHours, msg: `";04" is not a list of hours 0-23 separated by ";", e.g. "04" or "4;16"`},
		{name: "deleteWhen empty", key: brokerKey(t, "deleteWhen"), value: "",
			problem: catalog.ErrBadHours, msg: `"" is not a list of hours 0-23 separated by ";", e.g. "04" or "4;16"`},
		{name: "deleteWhen beyond int", key: brokerKey(t, "deleteWhen"), value: "99999999999",
			problem: catalog.ErrBadHours, msg: `"99999999999" is not a list of hours 0-23 separated by ";", e.g. "04" or "4;16"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := catalog.CheckValue(tc.key, tc.value)
			if tc.msg == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tc.msg, err.Error())

			var ve *catalog.ValueError
			require.True(t, errors.As(err, &ve))
			assert.Equal(t, tc.value, ve.Value)
			assert.Equal(t, tc.cause, ve.Cause)
			assert.Equal(t, tc.problem, ve.Problem)
			for _, want := range []error{tc.cause, tc.problem} {
				if want != nil {
					assert.ErrorIs(t, err, want)
				}
			}
		})
	}
}

func TestCheckValueAllowed(t *testing.T) {
	err := catalog.CheckValue(brokerKey(t, "flushDiskType"), "async_flush")
	var ve *catalog.ValueError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, []string{"ASYNC_FLUSH", "SYNC_FLUSH"}, ve.Allowed)

	ve.Allowed[0] = "changed"
	err = catalog.CheckValue(brokerKey(t, "flushDiskType"), "async_flush")
	assert.Contains(t, err.Error(), "is not one of ASYNC_FLUSH, SYNC_FLUSH", "Allowed must not share the catalog's list")
	assert.NotErrorIs(t, err, catalog.ErrNotNumber)
}

func TestCheckValueZeroKey(t *testing.T) {
	assert.NoError(t, catalog.CheckValue(catalog.Key{}, "anything goes"))
	assert.ErrorIs(t, catalog.CheckValue(catalog.Key{}, "x "), catalog.ErrWhitespace)
}

func TestValueErrorWithoutMessage(t *testing.T) {
	err := &catalog.ValueError{Value: "x", Problem: catalog.ErrNotNumber}
	assert.Equal(t, "value is not a number", err.Error())
	assert.ErrorIs(t, err, catalog.ErrNotNumber)
}
