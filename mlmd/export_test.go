package mlmd

// SetMaxNodes lowers the bound on the nodes of one graph, to test it on a small store.
func SetMaxNodes(s *Store, n int) { s.maxNodes = n }
