package web

import (
	"net/http"
	"time"

	"github.com/mlexp-dev/mlexp"
)

type homePage struct {
	Layout pageLayout
	Models []homeModel
}

type homeModel struct {
	ID, Name, URL string
	Datasets      []homeDataset
}

type homeDataset struct {
	ID, Name, URL, RunsURL, Experiment, MLflowURL, Updated string
}

// handleHomePage lists the models found in MLflow and their datasets (experiments), each
// linking to its dashboard; without any, it says how to get some.
func (s *server) handleHomePage(w http.ResponseWriter, r *http.Request) {
	ans, err := s.explore.Models(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p := homePage{Layout: pageLayout{Title: "Models", Nav: pageNav{Active: "home", MLflow: s.explore.TrackingURL()}}}
	now := s.now()
	for _, m := range ans.Models {
		hm := homeModel{ID: m.ID, Name: m.Name, URL: dashboardURL(m.ID, "")}
		for _, d := range m.Datasets {
			hd := homeDataset{ID: d.ID, Name: d.Name, URL: dashboardURL(m.ID, d.ID), RunsURL: runsURL(m.ID, d.ID),
				Experiment: d.ExperimentName, MLflowURL: s.explore.ExperimentURL(d.ExperimentID)}
			if d.LastUpdateTime > 0 {
				hd.Updated = mlexp.TimeAgo(time.UnixMilli(d.LastUpdateTime), now)
			}
			hm.Datasets = append(hm.Datasets, hd)
		}
		p.Models = append(p.Models, hm)
	}
	s.render(w, r, http.StatusOK, viewHome, p)
}
