// Entry point: the plan of one environment in (the native function plan), the list of its Kubernetes
// objects out, handed to the native function objects as a value rather than printed as JSON text.
local plan = std.native('plan')();

std.native('objects')(
(import 'namesrv.libsonnet')(plan)
+ (import 'controller.libsonnet')(plan)
+ (import 'broker.libsonnet')(plan)
+ (import 'proxy.libsonnet')(plan)
+ (import 'console.libsonnet')(plan)
+ (import 'network.libsonnet')(plan)
+ (import 'metrics.libsonnet')(plan)
+ (import 'storage.libsonnet')(plan)
)
