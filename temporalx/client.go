package temporalx

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/uber-go/tally/v4"
	tallyprom "github.com/uber-go/tally/v4/prometheus"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	sdktally "go.temporal.io/sdk/contrib/tally"
	"go.temporal.io/sdk/log"

	"github.com/topdossier/topdossier/workflows"
)

// Options configure the client.
type Options struct {
	HostPort  string
	Namespace string
	Codec     *Codec
	Logger    *slog.Logger
	// Registry receives the SDK's metrics; nil leaves them out.
	Registry *prometheus.Registry
}

// Dial connects to Temporal with the payload codec and the SDK metrics.
// Close the returned closer after the client.
func Dial(ctx context.Context, o Options) (client.Client, func(), error) {
	opts := client.Options{
		HostPort:      o.HostPort,
		Namespace:     o.Namespace,
		DataConverter: o.Codec.DataConverter(),
		Logger:        log.NewStructuredLogger(o.Logger),
	}
	closeMetrics := func() {}
	if o.Registry != nil {
		// NewReporter with explicit Registerer and Gatherer, not
		// Configuration.NewReporter, which also mounts /metrics on the
		// global http.DefaultServeMux.
		reporter := tallyprom.NewReporter(tallyprom.Options{
			Registerer:       o.Registry,
			Gatherer:         o.Registry,
			DefaultTimerType: tallyprom.HistogramTimerType,
			OnRegisterError:  func(err error) { o.Logger.Warn("temporal metrics", "err", err) },
		})
		scope, closer := tally.NewRootScope(tally.ScopeOptions{
			CachedReporter:  reporter,
			Separator:       tallyprom.DefaultSeparator,
			SanitizeOptions: &sdktally.PrometheusSanitizeOptions,
			Prefix:          "temporal",
		}, time.Second)
		scope = sdktally.NewPrometheusNamingScope(scope)
		opts.MetricsHandler = sdktally.NewMetricsHandler(scope)
		closeMetrics = func() { _ = closer.Close() }
	}
	c, err := client.DialContext(ctx, opts)
	if err != nil {
		closeMetrics()
		return nil, nil, fmt.Errorf("connect to temporal at %s: %w", o.HostPort, err)
	}
	return c, closeMetrics, nil
}

// EnsureSearchAttributes registers the custom search attributes the
// workflows set, when the namespace does not have them yet.
func EnsureSearchAttributes(ctx context.Context, c client.Client, namespace string) error {
	want := map[string]enumspb.IndexedValueType{
		workflows.SearchAttrLicence: enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		workflows.SearchAttrKind:    enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		workflows.SearchAttrStep:    enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	}
	have, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return fmt.Errorf("list search attributes: %w", err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	for name, typ := range want {
		if _, ok := have.GetCustomAttributes()[name]; !ok {
			missing[name] = typ
		}
	}
	if len(missing) == 0 {
		return nil
	}
	_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        namespace,
		SearchAttributes: missing,
	})
	if err != nil {
		return fmt.Errorf("add search attributes: %w", err)
	}
	return nil
}
