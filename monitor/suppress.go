// Package monitor holds the figures of the monitors as counts only, and
// keeps any child from being named or computed: a count under the
// threshold is shown as "< 5", and so is any other cell from which one
// could be computed with the row's or column's total. Pure: the same
// tables go to the page, the printed report, the CSV and the API.
package monitor

import (
	"slices"
	"strconv"
)

// Threshold is the smallest count shown: anything below is "< 5".
const Threshold = 5

// Hidden is how a suppressed cell reads.
const Hidden = "< 5"

// Table is a table of counts: rows × columns, with the totals of each
// row and each column and the grand total when they are shown.
type Table struct {
	Title   string
	Rows    []string
	Columns []string
	Cells   [][]int
	// RowTotals and ColumnTotals show a total per row (a last column) and
	// per column (a last row, with the grand total).
	RowTotals, ColumnTotals bool
}

// Cell is one shown cell: its count, or Hidden.
type Cell struct {
	Count  int
	Hidden bool
}

// Text is the cell as the page shows it.
func (c Cell) Text() string {
	if c.Hidden {
		return Hidden
	}
	return strconv.Itoa(c.Count)
}

// Shown is a table after suppression.
type Shown struct {
	Title        string
	Rows         []string
	Columns      []string
	Cells        [][]Cell
	RowTotals    []Cell // empty when the table has none
	ColumnTotals []Cell // empty when the table has none
	Grand        *Cell  // the grand total, with the column totals
}

// Suppress hides every count under Threshold (zero included: the page
// never shows a number under five), then, as long as a row or a column
// with a shown total has exactly one hidden cell of one to four (which
// its total would give away), also the smallest other cell in it (or the
// total, when there is no other). A lone hidden zero is left alone:
// computing it names no child, and hiding a second cell for it would
// hide counts people need. The totals line is treated the same against
// the grand total.
func Suppress(t Table) Shown {
	rows, cols := len(t.Rows), len(t.Columns)
	value := func(i, j int) int {
		if i < len(t.Cells) && j < len(t.Cells[i]) {
			return t.Cells[i][j]
		}
		return 0
	}
	hide := make([][]bool, rows)
	rowSum, colSum := make([]int, rows), make([]int, cols)
	grand := 0
	for i := range rows {
		hide[i] = make([]bool, cols)
		for j := range cols {
			v := value(i, j)
			hide[i][j] = v < Threshold
			rowSum[i] += v
			colSum[j] += v
			grand += v
		}
	}
	hideRow, hideCol := make([]bool, rows), make([]bool, cols)
	for i := range rows {
		hideRow[i] = t.RowTotals && rowSum[i] < Threshold
	}
	for j := range cols {
		hideCol[j] = t.ColumnTotals && colSum[j] < Threshold
	}
	hideGrand := grand < Threshold
	// one more cell of a line to hide: the smallest shown one, or the
	// line's total when none is left.
	for changed := true; changed; {
		changed = false
		if t.RowTotals {
			for i := range rows {
				if hideRow[i] || !givesAway(hide[i], func(j int) int { return value(i, j) }) {
					continue
				}
				if j := smallestShown(cols, func(j int) (int, bool) { return value(i, j), hide[i][j] }); j >= 0 {
					hide[i][j] = true
				} else {
					hideRow[i] = true
				}
				changed = true
			}
		}
		if t.ColumnTotals {
			for j := range cols {
				col := make([]bool, rows)
				for i := range rows {
					col[i] = hide[i][j]
				}
				if hideCol[j] || !givesAway(col, func(i int) int { return value(i, j) }) {
					continue
				}
				if i := smallestShown(rows, func(i int) (int, bool) { return value(i, j), hide[i][j] }); i >= 0 {
					hide[i][j] = true
				} else {
					hideCol[j] = true
				}
				changed = true
			}
		}
		// The totals line against the grand total: the column totals
		// (when shown) and the row totals (when shown) both add up to it.
		if t.ColumnTotals && !hideGrand && givesAway(hideCol, func(j int) int { return colSum[j] }) {
			if j := smallestShown(cols, func(j int) (int, bool) { return colSum[j], hideCol[j] }); j >= 0 {
				hideCol[j] = true
			} else {
				hideGrand = true
			}
			changed = true
		}
		if t.RowTotals && t.ColumnTotals && !hideGrand && givesAway(hideRow, func(i int) int { return rowSum[i] }) {
			if i := smallestShown(rows, func(i int) (int, bool) { return rowSum[i], hideRow[i] }); i >= 0 {
				hideRow[i] = true
			} else {
				hideGrand = true
			}
			changed = true
		}
	}
	out := Shown{Title: t.Title, Rows: slices.Clone(t.Rows), Columns: slices.Clone(t.Columns)}
	for i := range rows {
		line := make([]Cell, cols)
		for j := range cols {
			line[j] = cell(value(i, j), hide[i][j])
		}
		out.Cells = append(out.Cells, line)
		if t.RowTotals {
			out.RowTotals = append(out.RowTotals, cell(rowSum[i], hideRow[i]))
		}
	}
	if t.ColumnTotals {
		for j := range cols {
			out.ColumnTotals = append(out.ColumnTotals, cell(colSum[j], hideCol[j]))
		}
		g := cell(grand, hideGrand)
		out.Grand = &g
	}
	return out
}

// cell is a count as shown: hidden cells carry no count.
func cell(v int, hidden bool) Cell {
	if hidden {
		return Cell{Hidden: true}
	}
	return Cell{Count: v}
}

// givesAway reports whether a line with a shown total has exactly one
// hidden cell and that cell is not zero: its count could be computed.
func givesAway(hidden []bool, value func(int) int) bool {
	n, lone := 0, -1
	for k, h := range hidden {
		if h {
			n, lone = n+1, k
		}
	}
	return n == 1 && value(lone) != 0
}

// smallestShown is the index of the smallest value not yet hidden, -1
// when all are.
func smallestShown(n int, at func(int) (int, bool)) int {
	best, bestV := -1, 0
	for k := range n {
		v, hidden := at(k)
		if hidden {
			continue
		}
		if best < 0 || v < bestV {
			best, bestV = k, v
		}
	}
	return best
}
