package monitor

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestSuppressExample: a 3 in a row with a shown total hides the row's
// smallest other cell too, and the column that then has one hidden cell
// hides another; no count under 5 is shown, totals included.
func TestSuppressExample(t *testing.T) {
	s := Suppress(Table{Rows: []string{"a", "b"}, Columns: []string{"x", "y", "z"},
		Cells: [][]int{{10, 3, 12}, {20, 30, 40}}, RowTotals: true, ColumnTotals: true})
	want := [][]string{{"< 5", "< 5", "12"}, {"< 5", "< 5", "40"}}
	for i := range want {
		for j := range want[i] {
			if got := s.Cells[i][j].Text(); got != want[i][j] {
				t.Errorf("cell %d,%d = %s, want %s", i, j, got, want[i][j])
			}
		}
	}
	if s.RowTotals[0].Text() != "25" || s.ColumnTotals[0].Text() != "30" || s.Grand.Text() != "115" {
		t.Errorf("totals %v %v %v", s.RowTotals, s.ColumnTotals, *s.Grand)
	}
	if s.Cells[0][0].Count != 0 {
		t.Error("a hidden cell carries its count")
	}
}

// TestSuppressProperties: on many random tables, small and large, with
// and without totals: no shown count (cell or total) is under 5, every
// shown count is the true one, and no row, column or totals line with a
// shown total has exactly one hidden cell.
func TestSuppressProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 3000 {
		rows, cols := 1+r.IntN(6), 1+r.IntN(6)
		tb := Table{RowTotals: r.IntN(2) == 0, ColumnTotals: r.IntN(2) == 0}
		for range rows {
			tb.Rows = append(tb.Rows, "r")
			line := make([]int, cols)
			for j := range line {
				if r.IntN(3) == 0 {
					line[j] = r.IntN(5)
				} else {
					line[j] = r.IntN(60)
				}
			}
			tb.Cells = append(tb.Cells, line)
		}
		for range cols {
			tb.Columns = append(tb.Columns, "c")
		}
		s := Suppress(tb)
		check := func(c Cell, truth int, what string) {
			if !c.Hidden && (c.Count < Threshold || c.Count != truth) {
				t.Fatalf("table %d: %s shown as %d (true %d): %v", n, what, c.Count, truth, tb.Cells)
			}
		}
		colSum, grand := make([]int, cols), 0
		for i := range rows {
			rowSum, hidden, hiddenSum := 0, 0, 0
			for j := range cols {
				check(s.Cells[i][j], tb.Cells[i][j], "cell")
				rowSum += tb.Cells[i][j]
				colSum[j] += tb.Cells[i][j]
				if s.Cells[i][j].Hidden {
					hidden++
					hiddenSum += tb.Cells[i][j]
				}
			}
			grand += rowSum
			if tb.RowTotals {
				check(s.RowTotals[i], rowSum, "row total")
				if !s.RowTotals[i].Hidden && hidden == 1 && hiddenSum != 0 {
					t.Fatalf("table %d: row %d has one hidden count and a shown total: %v", n, i, tb.Cells)
				}
			}
		}
		if tb.ColumnTotals {
			hiddenTotals, hiddenTotalSum := 0, 0
			for j := range cols {
				check(s.ColumnTotals[j], colSum[j], "column total")
				hidden, hiddenSum := 0, 0
				for i := range rows {
					if s.Cells[i][j].Hidden {
						hidden++
						hiddenSum += tb.Cells[i][j]
					}
				}
				if !s.ColumnTotals[j].Hidden && hidden == 1 && hiddenSum != 0 {
					t.Fatalf("table %d: column %d has one hidden count and a shown total: %v", n, j, tb.Cells)
				}
				if s.ColumnTotals[j].Hidden {
					hiddenTotals++
					hiddenTotalSum += colSum[j]
				}
			}
			check(*s.Grand, grand, "grand total")
			if !s.Grand.Hidden && hiddenTotals == 1 && hiddenTotalSum != 0 {
				t.Fatalf("table %d: one hidden column total and a shown grand total: %v", n, tb.Cells)
			}
		}
	}
}

// TestBarChart: the chart is SVG with a title for screen readers, one
// bar per shown cell with its value, and a hatched "< 5" for a hidden
// one, never its count.
func TestBarChart(t *testing.T) {
	s := Suppress(Table{Title: "Aanvragen <per> maand", Rows: []string{"sep", "okt"}, Columns: []string{"TLV", "arrangement"},
		Cells: [][]int{{12, 3}, {7, 20}}})
	svg := BarChart(s, "aanvragen")
	for _, want := range []string{`<svg xmlns="http://www.w3.org/2000/svg"`, `<title id="aanvragen-t">Aanvragen &lt;per&gt; maand</title>`,
		">12</text>", ">20</text>", ">7</text>", ">&lt; 5</text>", `fill="url(#aanvragen-hidden)"`} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
	if strings.Contains(svg, ">3</text>") {
		t.Error("the chart shows a hidden count")
	}
}

// TestSuppressLoneZero: a hidden zero alone in a line hides nothing else
// (computing a zero names no child); a hidden one to four does.
func TestSuppressLoneZero(t *testing.T) {
	s := Suppress(Table{Rows: []string{"opp", "evaluatie"}, Columns: []string{"op tijd", "te laat"},
		Cells: [][]int{{9, 12}, {7, 0}}, RowTotals: true, ColumnTotals: true})
	if s.Cells[0][1].Hidden || s.Cells[0][1].Count != 12 || !s.Cells[1][1].Hidden {
		t.Errorf("a lone zero: %+v", s.Cells)
	}
	s = Suppress(Table{Rows: []string{"opp", "evaluatie"}, Columns: []string{"op tijd", "te laat"},
		Cells: [][]int{{9, 12}, {7, 2}}, RowTotals: true, ColumnTotals: true})
	if !s.Cells[0][1].Hidden && !s.RowTotals[1].Hidden && !s.ColumnTotals[1].Hidden {
		t.Errorf("a lone 2 can be computed: %+v", s)
	}
}
