package tracking

import (
	"strconv"
	"strings"

	"github.com/mlexp-dev/mlexp"
)

// Idempotency keys (design.md §7) are "{kind}/{model id}/{dataset id}/{config id}/{id}":
// one MLflow run per key, and one outbox item per key.
//
// Ids may contain '/', the separator, so each part is escaped first: '%' as "%25", then '/'
// as "%2F". Escaped parts joined by '/' read back one way only, so no two results share a
// key; unescaped, model "coll/x" on dataset "d" and model "coll" on dataset "x/d" did, and
// the second result was refused as a changed copy of the first.
//
// Upgrades. The escape leaves a part without '/' or '%' as it is, so the keys of plain ids —
// nearly all of them — are what they were: in the outbox, which keeps each item's key as it
// was enqueued, and on the runs in MLflow. For ids with '/' or '%' the key changed, and a run
// made before the upgrade carries the old one (legacyKey). The Logger also looks a run up
// by that old key, among the runs of the model's experiment tagged with the result's dataset
// and config, where the old key names one result only; so a delivery retried after the
// upgrade (of an item queued before it, or the same result reported again) finishes or
// returns the run made before instead of making a second one. The one overlap left is an old
// key of ids that spell an escape ("a%2Fb") with a new key of the ids it spells ("a/b").
const (
	quickTestKind   = "quick-test"
	trainingRunKind = "full-training"
)

var keyPartEscaper = strings.NewReplacer("%", "%25", "/", "%2F")

// resultKey is the idempotency key of result id of config c of model m on dataset d.
func resultKey(kind string, m mlexp.Model, d mlexp.Dataset, c mlexp.FeatureConfig, id int) string {
	esc := keyPartEscaper.Replace
	return kind + "/" + esc(m.ID) + "/" + esc(d.ID) + "/" + esc(c.ID) + "/" + strconv.Itoa(id)
}

// legacyKey is the key of the same result as mlexp wrote it before keys were escaped, or ""
// when it is the same as resultKey's.
func legacyKey(kind string, m mlexp.Model, d mlexp.Dataset, c mlexp.FeatureConfig, id int) string {
	old := kind + "/" + m.ID + "/" + d.ID + "/" + c.ID + "/" + strconv.Itoa(id)
	if old == resultKey(kind, m, d, c, id) {
		return ""
	}
	return old
}

// QuickTestKey is the idempotency key of a quick test: one MLflow run per key.
func QuickTestKey(r mlexp.QuickTestReport) string {
	return resultKey(quickTestKind, r.Model, r.Dataset, r.FeatureConfig, r.QuickTest.ID)
}

// TrainingRunKey is the idempotency key of a full training.
func TrainingRunKey(r mlexp.TrainingRunReport) string {
	return resultKey(trainingRunKind, r.Model, r.Dataset, r.FeatureConfig, r.TrainingRun.ID)
}
