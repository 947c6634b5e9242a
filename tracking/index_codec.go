package tracking

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/mlexp-dev/mlexp"
	"github.com/mlexp-dev/mlexp/mlflow"
)

// indexCodec is the version of what the index keeps of a run: a new version makes every
// experiment load again, so that a change of what is kept never mixes with old rows. How it
// is encoded may change without a new version: decodeRun reads every encoding there has been.
const indexCodec = 1

// A row's body is what ToRun reads of an MLflow run and nothing else (system tags such as
// mlflow.source.name are left out; metrics keep only their latest value), in a binary form
// that a restart decodes without parsing: the first byte is bodyBinary, then the run's id,
// experiment, name and status as strings, its start and end (varints, ms), then its params,
// metrics and tags, each a count and its entries in the order of their keys. A string is its
// length (uvarint) and bytes; a metric value, its 8 bytes (float64, little-endian), NaN and
// ±Inf included. Rows written before were JSON (legacyRun); they start with '{'.
const bodyBinary = 0x02

// domainTags are the run tags ToRun reads: the only ones the index keeps.
var domainTags = map[string]bool{TagRunName: true, TagDeployed: true, TagConfigID: true, TagDatasetID: true,
	TagDatasetVersion: true, TagFailureStage: true, TagFailureReason: true}

// domainTagKeys are the keys of domainTags, in order.
var domainTagKeys = slices.Sorted(maps.Keys(domainTags))

// encodeRuns turns runs into their rows of the index.
func encodeRuns(runs []mlflow.Run) []mlexp.IndexedRun {
	var e bodyEncoder
	rows := make([]mlexp.IndexedRun, len(runs))
	for i := range runs {
		rows[i] = e.row(&runs[i])
	}
	return rows
}

// encodeBody is the binary body of m's row: the same bytes for the same run, whatever the
// order MLflow listed its params, metrics and tags in.
func encodeBody(m *mlflow.Run) []byte { return new(bodyEncoder).body(m) }

// bodyEncoder encodes runs one after another, reusing its room for sorting and writing, so
// that a body costs one allocation of its own size.
type bodyEncoder struct {
	params  []mlflow.Param
	metrics []mlflow.Metric
	tags    []mlflow.Tag
	buf     []byte
}

func (e *bodyEncoder) row(m *mlflow.Run) mlexp.IndexedRun {
	return mlexp.IndexedRun{ID: m.Info.RunID, Start: m.Info.StartTime, Status: string(m.Info.Status),
		Deleted: m.Info.LifecycleStage == "deleted", Body: e.body(m)}
}

func (e *bodyEncoder) body(m *mlflow.Run) []byte {
	b := append(e.buf[:0], bodyBinary)
	for _, s := range []string{m.Info.RunID, m.Info.ExperimentID, m.Info.RunName, string(m.Info.Status)} {
		b = appendString(b, s)
	}
	b = binary.AppendVarint(b, m.Info.StartTime)
	b = binary.AppendVarint(b, m.Info.EndTime)
	e.params = sortedByKey(append(e.params[:0], m.Data.Params...), func(p mlflow.Param) string { return p.Key })
	b = binary.AppendUvarint(b, uint64(len(e.params)))
	for _, p := range e.params {
		b = appendString(appendString(b, p.Key), p.Value)
	}
	e.metrics = sortedByKey(append(e.metrics[:0], m.Data.Metrics...), func(x mlflow.Metric) string { return x.Key })
	e.metrics = slices.CompactFunc(e.metrics, func(a, b mlflow.Metric) bool { return a.Key == b.Key })
	b = binary.AppendUvarint(b, uint64(len(e.metrics)))
	for _, x := range e.metrics {
		b = binary.LittleEndian.AppendUint64(appendString(b, x.Key), math.Float64bits(float64(x.Value)))
	}
	e.tags = e.tags[:0]
	for _, t := range m.Data.Tags {
		if domainTags[t.Key] {
			e.tags = append(e.tags, t)
		}
	}
	e.tags = sortedByKey(e.tags, func(t mlflow.Tag) string { return t.Key })
	b = binary.AppendUvarint(b, uint64(len(e.tags)))
	for _, t := range e.tags {
		b = appendString(appendString(b, t.Key), t.Value)
	}
	e.buf = b
	return bytes.Clone(b)
}

// sortedByKey sorts s by key, keeping the order of equal keys, and returns it: a list MLflow
// gives sorted (as runs/search does) is only checked.
func sortedByKey[T any](s []T, key func(T) string) []T {
	byKey := func(a, b T) int { return strings.Compare(key(a), key(b)) }
	if !slices.IsSortedFunc(s, byKey) {
		slices.SortStableFunc(s, byKey)
	}
	return s
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// tombstone is the row of a run deleted in MLflow.
func tombstone(id string, start int64) mlexp.IndexedRun {
	return mlexp.IndexedRun{ID: id, Start: start, Status: "DELETED", Deleted: true, Body: []byte(`{}`)}
}

// decodeRun reads a row of the index back into the domain, as ToRun reads the run, sharing
// repeated strings through in.
func decodeRun(r mlexp.IndexedRun, in *mlexp.Interner) (mlexp.Run, error) {
	m, err := decodeBody(r.Body, in)
	if err != nil {
		return mlexp.Run{}, fmt.Errorf("decoding run %s of the index: %w", r.ID, err)
	}
	return toRun(&m, in), nil
}

// decodeBody reads a row's body, binary or legacy JSON, into the MLflow run it was made of.
func decodeBody(body []byte, in *mlexp.Interner) (mlflow.Run, error) {
	if len(body) == 0 || body[0] != bodyBinary {
		return decodeLegacy(body)
	}
	d := bodyReader{b: body[1:], in: in}
	m := mlflow.Run{Info: mlflow.RunInfo{RunID: d.unique(), ExperimentID: d.shared(), RunName: d.unique(),
		Status: mlflow.RunStatus(d.shared()), StartTime: d.varint(), EndTime: d.varint()}}
	m.Data.Params = make([]mlflow.Param, d.count())
	for i := range m.Data.Params {
		m.Data.Params[i] = mlflow.Param{Key: d.shared(), Value: d.shared()}
	}
	m.Data.Metrics = make([]mlflow.Metric, d.count())
	for i := range m.Data.Metrics {
		m.Data.Metrics[i] = mlflow.Metric{Key: d.shared(), Value: mlflow.Float(d.float())}
	}
	m.Data.Tags = make([]mlflow.Tag, d.count())
	for i := range m.Data.Tags {
		m.Data.Tags[i] = mlflow.Tag{Key: d.shared(), Value: d.unique()}
	}
	if d.err != nil || len(d.b) != 0 {
		return mlflow.Run{}, cmp.Or(d.err, errors.New("bytes left over after the run"))
	}
	return m, nil
}

// bodyReader reads the parts of a binary body in turn; the first error stops it.
type bodyReader struct {
	b   []byte
	in  *mlexp.Interner
	err error
}

func (d *bodyReader) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("truncated body: no %s", what)
	}
	d.b = nil
}

func (d *bodyReader) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("length")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *bodyReader) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("time")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count is the number of entries that follow; never more than the bytes left could hold.
func (d *bodyReader) count() int {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail("entries")
		return 0
	}
	return int(n)
}

func (d *bodyReader) bytes() []byte {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail("string")
		return nil
	}
	s := d.b[:n]
	d.b = d.b[n:]
	return s
}

// shared reads a string the runs repeat (names, values, statuses): one copy for them all.
func (d *bodyReader) shared() string { return d.in.Bytes(d.bytes()) }

// unique reads a string of this run alone (its id, name).
func (d *bodyReader) unique() string { return string(d.bytes()) }

func (d *bodyReader) float() float64 {
	if len(d.b) < 8 {
		d.fail("metric value")
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return v
}

// legacyRun is a row's body as the index wrote it before the binary form: JSON with short
// names; params and tags are key, value, key, value….
type legacyRun struct {
	ID      string                  `json:"i"`
	Exp     string                  `json:"x"`
	Name    string                  `json:"n,omitempty"`
	Status  string                  `json:"s"`
	Start   int64                   `json:"b,omitempty"`
	End     int64                   `json:"e,omitempty"`
	Params  []string                `json:"p,omitempty"`
	Metrics map[string]mlflow.Float `json:"m,omitempty"`
	Tags    []string                `json:"t,omitempty"`
}

func decodeLegacy(body []byte) (mlflow.Run, error) {
	var s legacyRun
	if err := json.Unmarshal(body, &s); err != nil {
		return mlflow.Run{}, err
	}
	m := mlflow.Run{Info: mlflow.RunInfo{RunID: s.ID, ExperimentID: s.Exp, RunName: s.Name, Status: mlflow.RunStatus(s.Status),
		StartTime: s.Start, EndTime: s.End}}
	for i := 0; i+1 < len(s.Params); i += 2 {
		m.Data.Params = append(m.Data.Params, mlflow.Param{Key: s.Params[i], Value: s.Params[i+1]})
	}
	for k, v := range s.Metrics {
		m.Data.Metrics = append(m.Data.Metrics, mlflow.Metric{Key: k, Value: v})
	}
	for i := 0; i+1 < len(s.Tags); i += 2 {
		m.Data.Tags = append(m.Data.Tags, mlflow.Tag{Key: s.Tags[i], Value: s.Tags[i+1]})
	}
	return m, nil
}

// bodySum is a checksum of what a row keeps, the same for a legacy JSON body and the binary
// body of the same run: the reconciliation compares rows by it.
func bodySum(b []byte) uint64 {
	if len(b) > 0 && b[0] != bodyBinary {
		if m, err := decodeLegacy(b); err == nil {
			b = encodeBody(&m)
		}
	}
	h := fnv.New64a()
	h.Write(b)
	return h.Sum64()
}
