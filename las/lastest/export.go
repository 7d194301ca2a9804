// Package lastest makes EDEXML exports of any size for tests and
// benchmarks, as a LAS writes them.
package lastest

import (
	"bytes"
	"fmt"
	"time"
)

// Export is an EDEXML 2.1 file of a school with BRIN brin: pupils pupils
// (keys L00000 …) in groups groups, teachers teachers. In variant v > 0
// every tenth pupil is in the next group and every hundredth has a birth
// date v days later: a night's worth of changes.
func Export(brin string, pupils, groups, teachers, v int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<EDEX><school><schooljaar>2026-2027</schooljaar><peildatum>2026-10-01</peildatum><brincode>%s</brincode><dependancecode>00</dependancecode><xsdversie>2.1</xsdversie></school><groepen>`, brin)
	for g := range groups {
		fmt.Fprintf(&b, `<groep key="G%d"><naam>%d%c</naam><jaargroep>%d</jaargroep></groep>`, g, g%8+1, 'a'+rune(g/8), g%8+1)
	}
	b.WriteString(`</groepen><leerlingen>`)
	for p := range pupils {
		group := p % groups
		birth := time.Date(2010+p%8, time.Month(p%12+1), p%28+1, 0, 0, 0, 0, time.UTC)
		if v > 0 && p%10 == 0 {
			group = (group + 1) % groups
		}
		if v > 0 && p%100 == 0 {
			birth = birth.AddDate(0, 0, v)
		}
		fmt.Fprintf(&b, `<leerling key="L%05d" eckid="https://id.school/LL_%032d"><achternaam>Achternaam%d</achternaam><voorvoegsel>van</voorvoegsel><voornamen>Voornaam Tweede</voornamen><roepnaam>Roep%d</roepnaam><geboortedatum>%s</geboortedatum><geslacht>1</geslacht><jaargroep>%d</jaargroep><groep key="G%d"/><bsn>123456782</bsn><instroomdatum>2020-08-17</instroomdatum><mutatiedatum>2026-09-01T08:00:00</mutatiedatum></leerling>`,
			p, p, p, p, birth.Format(time.DateOnly), group%8+1, group)
	}
	b.WriteString(`</leerlingen><leerkrachten>`)
	for k := range teachers {
		fmt.Fprintf(&b, `<leerkracht key="K%d"><achternaam>Leerkracht%d</achternaam><roepnaam>Juf</roepnaam><emailadres>k%d@school.invalid</emailadres><groepen><groep key="G%d"/></groepen></leerkracht>`,
			k, k, k, (k+v)%groups)
	}
	b.WriteString(`</leerkrachten></EDEX>`)
	return b.Bytes()
}
