// Entry point: the plan of one environment in, the list of its Kubernetes objects out.
local plan = std.native('plan')();

(import 'namesrv.libsonnet')(plan)
+ (import 'controller.libsonnet')(plan)
+ (import 'broker.libsonnet')(plan)
+ (import 'proxy.libsonnet')(plan)
+ (import 'console.libsonnet')(plan)
+ (import 'network.libsonnet')(plan)
+ (import 'metrics.libsonnet')(plan)
+ (import 'storage.libsonnet')(plan)
