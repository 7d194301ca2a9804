package oso

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/topdossier/topdossier/plan"
)

// Preview is what an import would store: the pupil, the guardians, the
// school career, the plans, the test results and the documents, and what
// of the file is not kept.
type Preview struct {
	Overstap  string              `json:"overstap"`
	Profile   string              `json:"profile"`
	School    string              `json:"school"`
	BRIN      string              `json:"brin"`
	Pupil     plan.TransferPupil  `json:"pupil"`
	Guardians []PreviewGuardian   `json:"guardians"`
	Loopbaan  []plan.TransferYear `json:"school_history"`
	Plans     []plan.TransferPlan `json:"plans"`
	Tests     []plan.SnapshotTest `json:"tests"`
	Documents []PreviewDocument   `json:"documents"`
	// NotKept names the categories in the file TOP dossier does not keep
	// (verzuim, VVE, cijferlijsten …): they are left out.
	NotKept []string `json:"not_kept"`
	// Digest pins the file the person saw.
	Digest string `json:"digest"`
}

// PreviewGuardian is a guardian as the import would add them.
type PreviewGuardian struct {
	plan.TransferGuardian
	// Deceased guardians are not added.
	Deceased bool `json:"deceased"`
}

// PreviewDocument is a document of the file, with its bytes.
type PreviewDocument struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	Content     []byte `json:"-"`
}

// MaxDocument is the largest document kept (as an attachment).
const MaxDocument = 10 << 20

// Preview is the dossier as TOP dossier would take it in. Call it on a
// dossier Parse accepted.
func (d *Dossier) Preview(data []byte) Preview {
	sum := sha256.Sum256(data)
	l := d.School.Leerling
	p := Preview{Overstap: d.Metadata.Overstap, Profile: ProfileOf(d.Metadata.Overstap), School: d.School.Naam, BRIN: d.School.Brincode,
		Digest: hex.EncodeToString(sum[:])}
	given := l.Roepnaam
	if given == "" && len(l.Voornaam) > 0 {
		given = l.Voornaam[0]
	}
	p.Pupil = plan.TransferPupil{GivenName: strings.TrimSpace(given), NameInfix: strings.TrimSpace(l.Voorvoegsel),
		FamilyName: strings.TrimSpace(l.Achternaam), BirthDate: l.Geboortedatum}
	for _, v := range l.Verzorgers {
		g := PreviewGuardian{TransferGuardian: plan.TransferGuardian{GivenName: strings.TrimSpace(strings.Join(v.Voornaam, " ")),
			NameInfix: v.Voorvoegsel, FamilyName: v.Achternaam, Relation: RelationOf(v.Relatie), ParentalAuthority: v.Wettig},
			Deceased: v.Overleden != nil && *v.Overleden}
		if g.GivenName == "" {
			g.GivenName = strings.TrimSpace(v.Roepnaam + " " + v.Voorletters)
		}
		if v.Communicatielijst != nil {
			for _, c := range v.Communicatielijst.Communicatie {
				switch {
				case c.Soort == "e-mail" && g.Email == "":
					g.Email = strings.TrimSpace(c.Nummer)
				case c.Soort == "telefoon" && g.Phone == "":
					g.Phone = strings.TrimSpace(c.Nummer)
				}
			}
		}
		p.Guardians = append(p.Guardians, g)
	}
	if l.Loopbaan != nil {
		for _, y := range l.Loopbaan.Jaren {
			p.Loopbaan = append(p.Loopbaan, plan.TransferYear{SchoolYear: y.Schooljaar, Group: strings.TrimSpace(y.Groepsnaam + " " + y.Groepscode),
				YearGroup: y.Jaargroep, From: y.Begindatum, To: y.Einddatum, BRIN: y.Brincode, SchoolType: y.Schoolsoort})
		}
	}
	docName := func(doc *Document) string {
		if doc == nil {
			return ""
		}
		return doc.Bestandsnaam
	}
	if o := l.Ondersteuning; o != nil {
		if o.Toelichting != nil {
			p.Plans = append(p.Plans, plan.TransferPlan{Kind: "onderwijsbehoeften", About: o.Toelichting.Document.Omschrijving,
				Document: o.Toelichting.Document.Bestandsnaam})
		}
		for _, dg := range o.Diagnoses {
			tp := plan.TransferPlan{Kind: "diagnose", From: dg.Datum, About: strings.TrimSpace(dg.Naam + " (" + strings.Join(dg.Code, ", ") + ")")}
			if dg.DoorWie != "" || dg.Instantie != "" {
				tp.About += " · " + strings.Trim(dg.DoorWie+", "+dg.Instantie, ", ")
			}
			for _, doc := range dg.Documents {
				tp.Document = doc.Bestandsnaam
			}
			p.Plans = append(p.Plans, tp)
		}
		for _, h := range o.Handelingsplans {
			p.Plans = append(p.Plans, plan.TransferPlan{Kind: "handelingsplan", From: h.Start, To: h.Eind, About: h.IsGerichtOp, Document: docName(h.Document)})
		}
		if o.OPP != nil {
			tp := plan.TransferPlan{Kind: "opp", From: o.OPP.Ingang, To: o.OPP.Eind, About: "ontwikkelingsperspectiefplan"}
			for _, doc := range o.OPP.Documents {
				tp.Document = doc.Bestandsnaam
			}
			p.Plans = append(p.Plans, tp)
		}
		for _, t := range o.TLVs {
			p.Plans = append(p.Plans, plan.TransferPlan{Kind: "tlv", From: t.Ingang, To: t.Eind,
				About: fmt.Sprintf("categorie %s · %s · beschikking %s", t.Categorie, t.SWV, t.Beschikkingsnr), Document: docName(t.Document)})
		}
		for _, a := range o.Arrangementen {
			p.Plans = append(p.Plans, plan.TransferPlan{Kind: "arrangement", From: a.Datum, To: a.Eind,
				About: strings.Trim(a.Kenmerk+" · "+a.Beschikkingsnr, " ·")})
		}
	}
	if l.Toetsen != nil {
		for _, t := range l.Toetsen.Toetsen {
			name := t.ID.Naam
			if name == "" {
				name = t.ID.Code
			}
			st := plan.SnapshotTest{Instrument: name, TakenOn: t.Afname.Datum}
			var scores []string
			if s := t.Resultaat.Score; s != nil {
				if s.Vaardigheidsscore != "" {
					scores = append(scores, "vaardigheidsscore "+s.Vaardigheidsscore)
				}
				if s.Goed != "" {
					scores = append(scores, s.Goed+" goed")
				}
			}
			for _, r := range t.Resultaat.Referentie {
				scores = append(scores, r.Code+" "+r.Waarde)
				if st.Level == "" && r.Kwalificatie != "" {
					st.Level = r.Kwalificatie
				}
			}
			st.Score = strings.Join(scores, " · ")
			p.Tests = append(p.Tests, st)
		}
	}
	for _, doc := range d.documents() {
		b, err := base64.StdEncoding.DecodeString(compact(doc.Inhoud))
		if err != nil || len(b) == 0 || len(b) > MaxDocument {
			continue
		}
		name := cleanName(doc.Bestandsnaam)
		p.Documents = append(p.Documents, PreviewDocument{Name: name, Description: doc.Omschrijving, ContentType: contentType(name, b),
			Size: len(b), Content: b})
	}
	present := d.Present()
	for _, c := range []string{CatInzage, CatVVE, CatOverstap, CatVerzuim, CatEindtoets, CatCijfers, CatVOMBO} {
		if present[c] {
			p.NotKept = append(p.NotKept, CategoryLabel(c))
		}
	}
	return p
}

// cleanName is a document's file name without a path or control
// characters, at most 200 characters.
func cleanName(name string) string {
	name = path.Base(strings.ReplaceAll(strings.TrimSpace(name), "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			return -1
		}
		return r
	}, name)
	for utf8.RuneCountInString(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || name == "." || name == "/" {
		name = "document"
	}
	return name
}

func contentType(name string, b []byte) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".pdf":
		return "application/pdf"
	case ".docx":
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case ".txt":
		return "text/plain; charset=utf-8"
	}
	return http.DetectContentType(b)
}
