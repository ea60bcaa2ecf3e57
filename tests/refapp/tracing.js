// tracing.js -- the OpenTelemetry SDK (2.x line) set up as an application
// would: a NodeTracerProvider for one service (resource service.name), spans
// batched and sent by the real OTLP/HTTP exporter (JSON) to the receiver, W3C
// trace context propagated in HTTP headers. shutdown() flushes what is left.
'use strict';
const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const api = require('@opentelemetry/api');

function start(service, otlpUrl) {
  const exporter = new OTLPTraceExporter({ url: otlpUrl });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new BatchSpanProcessor(exporter, {
      maxQueueSize: 8192, maxExportBatchSize: 256, scheduledDelayMillis: 200,
    })],
  });
  provider.register(); // AsyncLocalStorage context, W3C traceparent propagator
  return { tracer: api.trace.getTracer('meshwalk-refapp'), provider };
}

module.exports = { start, api };
