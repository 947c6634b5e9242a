package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/mlexp-dev/mlexp/mlflow"
	"github.com/mlexp-dev/mlexp/tracking"
)

func deployOptions() []option {
	return []option{{name: "mlflow-tracking-uri", arg: "URL", env: "MLFLOW_TRACKING_URI",
		usage: "URL of the MLflow tracking server, e.g. http://127.0.0.1:5000 (required)"}}
}

func deployHelp(w io.Writer, e env) {
	fmt.Fprintf(w, `Usage: mlexp deploy RUN_ID [flags]

Marks the MLflow run RUN_ID as the deployed run of its experiment (tag is_deployed=true) and
clears the mark on the run that had it, so that exactly one run carries it.

`)
	writeOptions(w, deployOptions())
	fmt.Fprintf(w, "\n%s", mlflowEnvHelp)
}

// deploy runs `mlexp deploy RUN_ID`.
func deploy(ctx context.Context, args []string, e env) error {
	var runID string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		runID, args = args[0], args[1:]
	}
	s, rest, err := parseOptions("deploy", args, deployOptions(), deployHelp, e)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if runID == "" && len(rest) == 1 {
		runID, rest = rest[0], nil
	}
	if runID == "" || len(rest) > 0 {
		return errors.New("deploy: give exactly one RUN_ID: `mlexp deploy RUN_ID`")
	}
	uri := s["mlflow-tracking-uri"]
	if uri.value == "" {
		return errors.New("deploy: no MLflow tracking server: set --mlflow-tracking-uri or MLFLOW_TRACKING_URI")
	}
	client, err := mlflow.NewClientFromEnv(func(k string) string {
		if k == "MLFLOW_TRACKING_URI" {
			return uri.value
		}
		return e.getenv(k)
	})
	if err != nil {
		return fmt.Errorf("deploy: %w", err)
	}
	cleared, err := tracking.NewLogger(client, nil).Deploy(ctx, runID)
	if err != nil {
		return fmt.Errorf("deploy: %w", err)
	}
	fmt.Fprintf(e.stdout, "run %s is now the deployed run of its experiment\n", runID)
	for _, c := range cleared {
		fmt.Fprintf(e.stdout, "run %s is no longer marked deployed\n", c)
	}
	return nil
}
