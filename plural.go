package mlexp

// Plural writes a count with its noun in the right number: "1 run", "0 runs",
// "1,204 runs".
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return FormatCount(n) + " " + many
}
