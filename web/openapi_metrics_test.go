package web

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/mlexp-dev/mlexp"
)

// TestOpenAPIKnowsTheMetricTable checks that the document's Metrics schema refuses, as extra
// metrics, exactly the first-class metrics of the metric-spec table, so that adding one to
// the table without the document fails here.
func TestOpenAPIKnowsTheMetricTable(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas struct {
				Metrics struct {
					Properties struct {
						Extra struct {
							PropertyNames struct {
								Not struct {
									Enum []string `json:"enum"`
								} `json:"not"`
							} `json:"propertyNames"`
						} `json:"extra"`
					} `json:"properties"`
				} `json:"Metrics"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(OpenAPIDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	var table []string
	for _, s := range mlexp.MetricSpecs() {
		table = append(table, s.Name)
	}
	got := doc.Components.Schemas.Metrics.Properties.Extra.PropertyNames.Not.Enum
	slices.Sort(got)
	slices.Sort(table)
	if !slices.Equal(got, table) {
		t.Errorf("the OpenAPI document refuses %v as extra metrics; the metric table has %v", got, table)
	}
}
