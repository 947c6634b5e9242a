package mlexp

import (
	"errors"
	"strings"
)

// FieldError is one invalid field of an input: its name as a user writes it
// ("quick_test.metrics.loss") and what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// DetailErrors is the key of Error.Details under which an EINVALID error lists every
// invalid field of an input ([]FieldError), when there are several.
const DetailErrors = "errors"

// problems collects the invalid fields of one input, so that a user learns of all of them
// at once instead of one per attempt.
type problems struct{ errs []*Error }

// add records err, when it is not nil. An error listing several fields adds each.
func (p *problems) add(err error) {
	var e *Error
	switch {
	case err == nil:
	case errors.As(err, &e) && e.Code == EINVALID:
		if list, ok := e.Details[DetailErrors].([]FieldError); ok {
			for _, f := range list {
				p.errs = append(p.errs, &Error{Code: EINVALID, Field: f.Field, Message: f.Message})
			}
			return
		}
		p.errs = append(p.errs, e)
	default:
		p.errs = append(p.errs, &Error{Code: EINVALID, Message: err.Error(), Err: err})
	}
}

// ok says whether nothing is wrong so far.
func (p *problems) ok() bool { return len(p.errs) == 0 }

// err is nil, the one error recorded, or one EINVALID error naming the first field, whose
// message joins every message and whose Details list every field (DetailErrors).
func (p *problems) err() error {
	switch len(p.errs) {
	case 0:
		return nil
	case 1:
		return p.errs[0]
	}
	list := make([]FieldError, len(p.errs))
	msgs := make([]string, len(p.errs))
	for i, e := range p.errs {
		list[i] = FieldError{Field: e.Field, Message: e.Message}
		msgs[i] = e.Message
	}
	return &Error{Code: EINVALID, Field: p.errs[0].Field, Message: strings.Join(msgs, "; "),
		Details: map[string]any{DetailErrors: list}}
}

// FieldErrors lists the invalid fields that err names: every field of an error that lists
// several, the one field of an EINVALID error, or nil.
func FieldErrors(err error) []FieldError {
	var e *Error
	if !errors.As(err, &e) || e.Code != EINVALID {
		return nil
	}
	if list, ok := e.Details[DetailErrors].([]FieldError); ok {
		return list
	}
	return []FieldError{{Field: e.Field, Message: e.Message}}
}
