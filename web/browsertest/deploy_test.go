package browsertest

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPromoteFromRunsTableThenRollBack clicks Promote on the best full training's row of the
// runs table, confirms it on the page that asks, sees the deployments page confirm it and the dashboard's Currently Deployed
// card change, then clicks Roll back on the deployments page and sees the card change back.
func TestPromoteFromRunsTableThenRollBack(t *testing.T) {
	best, deployed := w.Set.TrainingRuns[bestFull()], w.Set.TrainingRuns[w.Set.Deployed]
	if bestFull() == w.Set.Deployed {
		t.Fatal("the demo deploys the second best full training; the best is needed as the other one")
	}
	deployedCard := func(tb *tab) string {
		tb.open(dashboardPath())
		cards := eval[[]string](tb, `[...document.querySelectorAll(".cards.summary .stat")].map(c => c.innerText)`)
		if len(cards) != 4 {
			t.Fatalf("%d summary cards, want 4", len(cards))
		}
		return cards[3]
	}
	tb := newTab(t, 1280, 900)
	if card := deployedCard(tb); !strings.Contains(card, deployed.FeatureConfig.DisplayName()) {
		t.Fatalf("before: the Currently Deployed card %q does not show %s", card, deployed.FeatureConfig.DisplayName())
	}

	// The comparison view offers Promote on the runs that are not deployed.
	tb.open(comparePath(w.Full[w.Set.Deployed], w.Full[bestFull()]))
	if n := tb.count(".compare-runs form.promote button"); n != 1 {
		t.Errorf("the comparison of the deployed and the best run has %d Promote buttons, want 1", n)
	}

	// Quick tests make no model: their rows offer no Promote.
	tb.open(runsPath(w.Dataset) + "&type=quick_test")
	if n := tb.count(`button[data-promote]`); n != 0 {
		t.Errorf("the quick tests' rows have %d Promote buttons, want none", n)
	}

	tb.open(runsPath(w.Dataset) + "&type=full_training")
	button := `button[data-promote="` + w.Full[bestFull()] + `"]`
	if tb.count(button) != 1 {
		t.Fatalf("no Promote button on the row of %s", fullName(best))
	}
	if n := tb.count(`button[data-promote="` + w.Full[w.Set.Deployed] + `"]`); n != 0 {
		t.Errorf("the deployed run's row has a Promote button")
	}
	tb.navigates("pressing Promote", chromedp.Click(chromedp.CSS(button)))
	// Promote asks first, naming the run it replaces; nothing has changed yet.
	tb.mustSee("main", "Promote "+fullName(best)+"?", "It replaces the deployed run "+fullName(deployed))
	if card := deployedCard(newTab(t, 1280, 900)); !strings.Contains(card, deployed.FeatureConfig.DisplayName()) {
		t.Errorf("asking to confirm already promoted: the Currently Deployed card shows %q", card)
	}
	tb.navigates("confirming", chromedp.Click(chromedp.CSS(`button[data-confirm-promote]`)))
	if loc := tb.location(); !strings.HasPrefix(loc, "/models/"+w.Model.ID+"/deployments/?") {
		t.Errorf("promoting went to %s, want the deployments page", loc)
	}
	tb.mustSee(".card.done", "Promoted to", fullName(best), "replacing "+fullName(deployed))
	tb.mustSee(".current-deployment", fullName(best), "replaced "+fullName(deployed))
	if card := deployedCard(tb); !strings.Contains(card, best.FeatureConfig.DisplayName()) {
		t.Errorf("after promoting: the Currently Deployed card %q does not show %s", card, best.FeatureConfig.DisplayName())
	}

	// The card links to the history, whose Roll back button restores the previous run.
	tb.navigates("following the card's history link", chromedp.Click(chromedp.CSS(`a[data-history]`)))
	tb.mustSee("table.deployments", fullName(best), fullName(deployed), "Promoted")
	if err := chromedp.Do(tb.ctx, chromedp.SendKeys(chromedp.CSS(`.current-deployment input[name=note]`), "browser test rollback")); err != nil {
		t.Fatal(err)
	}
	tb.navigates("pressing Roll back", chromedp.Click(chromedp.CSS(`button[data-rollback]`)))
	tb.mustSee(".card.done", "Rolled back to", fullName(deployed))
	tb.mustSee("table.deployments", "browser test rollback", "Rolled back")
	if card := deployedCard(tb); !strings.Contains(card, deployed.FeatureConfig.DisplayName()) {
		t.Errorf("after rolling back: the Currently Deployed card %q does not show %s", card, deployed.FeatureConfig.DisplayName())
	}
}
