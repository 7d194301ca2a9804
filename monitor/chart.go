package monitor

import (
	"fmt"
	"html"
	"strings"
)

// Palette is Okabe and Ito's colour-blind-safe set; each colour has a
// pattern too, so bars stay apart when printed in black and white.
var Palette = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"}

// patterns are drawn over the colours, one per series.
var patterns = []string{
	``, // solid
	`<path d="M0,6 L6,0" stroke="#000" stroke-width="1.2"/>`,
	`<circle cx="3" cy="3" r="1.2" fill="#000"/>`,
	`<path d="M0,0 L6,6" stroke="#000" stroke-width="1.2"/>`,
	`<path d="M3,0 L3,6" stroke="#000" stroke-width="1.2"/>`,
	`<path d="M0,3 L6,3" stroke="#000" stroke-width="1.2"/>`,
	`<path d="M0,6 L6,0 M0,0 L6,6" stroke="#000" stroke-width="0.8"/>`,
	`<rect x="2" y="2" width="2" height="2" fill="#fff"/>`,
}

// BarChart draws a shown table as horizontal grouped bars: a group per
// row, a bar per column, each with its value written beside it (hidden
// cells as a short hatched stub labelled "< 5"). It is SVG text with its
// own title and description for screen readers; the table under it on
// the page carries the same figures.
func BarChart(s Shown, id string) string {
	const (
		width   = 760
		labelW  = 270
		barH    = 14
		gap     = 4
		groupGp = 12
		legendH = 22
		perLine = 2 // legend entries per line
	)
	max := 0
	for _, line := range s.Cells {
		for _, c := range line {
			if !c.Hidden && c.Count > max {
				max = c.Count
			}
		}
	}
	if max == 0 {
		max = 1
	}
	plotW := width - labelW - 60
	series := len(s.Columns)
	groupH := series*(barH+gap) + groupGp
	height := legendH*((series+perLine-1)/perLine) + len(s.Rows)*groupH + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t %s-d">`, width, height, id, id)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">Staafdiagram; de tabel eronder geeft dezelfde aantallen.</desc>`, id, html.EscapeString(s.Title), id)
	b.WriteString("<defs>")
	for k := range series {
		fmt.Fprintf(&b, `<pattern id="%s-p%d" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="%s"/>%s</pattern>`,
			id, k, Palette[k%len(Palette)], patterns[k%len(patterns)])
	}
	fmt.Fprintf(&b, `<pattern id="%s-hidden" width="4" height="4" patternUnits="userSpaceOnUse"><rect width="4" height="4" fill="#fff"/><path d="M0,4 L4,0" stroke="#555" stroke-width="1"/></pattern>`, id)
	b.WriteString("</defs>")
	// The legend, two to a line.
	for k, name := range s.Columns {
		x, y := (k%perLine)*(width/perLine), (k/perLine)*legendH
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="14" height="14" fill="url(#%s-p%d)" stroke="#000" stroke-width="0.5"/>`, x, y+2, id, k)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12">%s</text>`, x+20, y+13, html.EscapeString(shorten(name, 52)))
	}
	top := legendH * ((series + perLine - 1) / perLine)
	for i, row := range s.Rows {
		y := top + i*groupH
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" text-anchor="end">%s</text>`, labelW-8, y+barH, html.EscapeString(shorten(row, 40)))
		for k := range series {
			c := s.Cells[i][k]
			by := y + k*(barH+gap)
			if c.Hidden {
				fmt.Fprintf(&b, `<rect x="%d" y="%d" width="8" height="%d" fill="url(#%s-hidden)" stroke="#555" stroke-width="0.5"/>`, labelW, by, barH, id)
				fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11">%s</text>`, labelW+12, by+barH-3, html.EscapeString(Hidden))
				continue
			}
			w := c.Count * plotW / max
			if c.Count > 0 && w < 1 {
				w = 1
			}
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="url(#%s-p%d)" stroke="#000" stroke-width="0.5"/>`, labelW, by, w, barH, id, k)
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11">%d</text>`, labelW+w+4, by+barH-3, c.Count)
		}
	}
	b.WriteString("</svg>")
	return b.String()
}

// shorten cuts a label to n characters with an ellipsis; the table under
// the chart has it whole.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
