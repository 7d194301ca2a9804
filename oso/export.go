package oso

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/topdossier/topdossier/plan"
)

// ExportInput is what a school exports of a pupil: who, the plan as far
// as the profile and the parents' choices let it go, and the documents.
type ExportInput struct {
	Overstap string
	// OptOut are the optional categories the parents chose not to share.
	OptOut  []string
	Today   time.Time
	Version string // TOP dossier's version, for pakketversie

	SchoolName, BRIN, SchoolType string
	Pupil                        plan.TransferPupil
	LASKey                       string
	EnrolledOn                   time.Time
	LeftOn                       *time.Time
	YearGroup                    *int16
	Guardians                    []plan.TransferGuardian
	// Needs is the onderwijsbehoeften text (analysis), OPP the plan's
	// text with its start, ActionParts the handelingsdelen.
	Needs       string
	OPP         string
	OPPFrom     time.Time
	ActionParts []plan.TransferVersion
	Tests       []plan.SnapshotTest
	Attachments []ExportDocument
}

// ExportDocument is an attachment that goes with the dossier.
type ExportDocument struct {
	Name, Description string
	Content           []byte
}

var reBRIN = regexp.MustCompile(`^[0-9]{2}[A-Z]{2}$`)

// Export builds the dossier for in: every category the profile requires,
// the optional ones the parents did not opt out of, none it forbids. The
// BSN and onderwijsnummer are never exported (README: OSO). The result
// validates against the schema (oso/schema; a test checks each profile).
func Export(in ExportInput) (*Dossier, error) {
	profile := ProfileOf(in.Overstap)
	if profile == "" {
		return nil, &Error{Msg: fmt.Sprintf("onbekende soort overstap %q: kies POPO, POVO of VOVO (overstapdossier) of POSWV of VOSWV (samenwerkingsverband)", in.Overstap)}
	}
	rules := Rules(in.Overstap)
	values := map[string]string{}
	for c, r := range rules {
		values[c] = r
	}
	var errs Errors
	for _, c := range in.OptOut {
		switch rules[c] {
		case Optional:
			values[c] = OptedOut
		case "":
			errs = append(errs, &Error{Msg: fmt.Sprintf("onbekende categorie %q", c)})
		default:
			errs = append(errs, &Error{Msg: fmt.Sprintf("categorie %s is %s in dit profiel; de ouders kunnen alleen een optionele categorie uitzetten",
				CategoryLabel(c), strings.ToLower(rules[c]))})
		}
	}
	if values[CatOndersteuning] == OptedOut {
		values[CatHandeling] = OptedOut // plans sit inside the support block
	}
	if !reBRIN.MatchString(in.BRIN) {
		errs = append(errs, &Error{Msg: "de school heeft geen geldig BRIN-nummer (twee cijfers en twee letters); een OSO-dossier noemt de school erbij"})
	}
	if len(in.Guardians) == 0 {
		errs = append(errs, &Error{Msg: "de leerling heeft geen ouders of verzorgers; die zijn verplicht in een OSO-dossier"})
	}
	if in.Pupil.FamilyName == "" || in.Pupil.BirthDate == "" {
		errs = append(errs, &Error{Msg: "de leerling mist een achternaam of geboortedatum"})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	yes := func(c string) bool { return values[c] == Required || values[c] == Optional }
	d := &Dossier{
		Metadata: Metadata{Deeldossier: "LAS", Pakketnaam: "TOP dossier", Pakketversie: orDash(in.Version), Datum: in.Today.Format(time.DateOnly),
			Standaardversie: "2019.1", Validatieversie: "2019.1.1", Categorieen: CategorienOf(values), Overstap: in.Overstap},
		Overdrachtsoort: map[string]string{ProfileOV: "overstapdossier", ProfilePaO: "swv-dossier"}[profile],
		School:          School{Naam: in.SchoolName, Brincode: in.BRIN, Vestigingscode: "00", Aanleverpunt: "1", Soort: in.SchoolType},
	}
	l := &d.School.Leerling
	given := strings.TrimSpace(in.Pupil.GivenName)
	if given != "" {
		l.Voornaam, l.Roepnaam = []string{given}, given
	}
	l.Voorvoegsel, l.Achternaam, l.Geboortedatum = in.Pupil.NameInfix, in.Pupil.FamilyName, in.Pupil.BirthDate
	l.LeerlingID = in.LASKey
	if !in.EnrolledOn.IsZero() {
		l.Inschrijving = in.EnrolledOn.Format(time.DateOnly)
	}
	if in.LeftOn != nil {
		l.Uitschrijving = in.LeftOn.Format(time.DateOnly)
	}
	// The school career: this school, this school year.
	year := "0"
	if in.YearGroup != nil {
		year = strconv.Itoa(int(*in.YearGroup))
	}
	l.Loopbaan = &Loopbaanlijst{Jaren: []Loopbaan{{Schooljaar: schoolYear(in.Today), Groepscode: orDash(in.Pupil.Group),
		Jaargroep: year, Begindatum: l.Inschrijving, Brincode: in.BRIN, Vestigingscode: "00", Schoolsoort: in.SchoolType}}}
	if yes(CatOndersteuning) {
		o := &Ondersteuning{}
		if strings.TrimSpace(in.Needs) != "" {
			o.Toelichting = &DocumentBlok{Document: textDocument("onderwijsbehoeften.txt", "Onderwijs- en ondersteuningsbehoeften", in.Needs)}
		}
		if yes(CatHandeling) {
			for _, v := range in.ActionParts {
				var domains []string
				for _, g := range v.Content.Goals {
					if g.Domain != "" && !slices.Contains(domains, g.Domain) {
						domains = append(domains, g.Domain)
					}
				}
				doc := textDocument(fmt.Sprintf("handelingsdeel-%d.txt", v.Number), fmt.Sprintf("Handelingsdeel versie %d", v.Number), actionPartText(v))
				o.Handelingsplans = append(o.Handelingsplans, Handelingsplan{Start: v.FrozenOn, IsGerichtOp: orDash(strings.Join(domains, ", ")), Document: &doc})
			}
		}
		if strings.TrimSpace(in.OPP) != "" {
			o.OPP = &OPP{Ingang: in.OPPFrom.Format(time.DateOnly), Documents: []Document{textDocument("opp.txt", "Ontwikkelingsperspectiefplan", in.OPP)}}
		}
		if profile == ProfilePaO || o.Toelichting != nil || len(o.Handelingsplans) > 0 || o.OPP != nil {
			d.School.Leerling.Ondersteuning = o
		}
	}
	if yes(CatToetsen) && len(in.Tests) > 0 {
		tl := &Toetslijst{}
		for _, t := range in.Tests {
			tl.Toetsen = append(tl.Toetsen, Toets{ID: ToetsID{Code: orDash(t.Instrument), Naam: t.Instrument}, Afname: Afname{Datum: t.TakenOn},
				Resultaat: Resultaat{Referentie: []Referentiescore{{Code: "SCORE", Groep: "school", Waarde: orDash(t.Score), Kwalificatie: t.Level}}}})
		}
		l.Toetsen = tl
	}
	if yes(CatBijlagen) && len(in.Attachments) > 0 {
		dl := &Documentlijst{}
		for _, a := range in.Attachments {
			dl.Documents = append(dl.Documents, Document{Bestandsnaam: a.Name, Omschrijving: a.Description,
				Inhoud: base64.StdEncoding.EncodeToString(a.Content)})
		}
		l.Overig = dl
	}
	for _, g := range in.Guardians {
		v := Verzorger{Voornaam: nonEmpty(g.GivenName), Voorvoegsel: g.NameInfix, Achternaam: orDash(g.FamilyName),
			Relatie: RelationCode(g.Relation), Wettig: g.ParentalAuthority}
		var cs []Communicatie
		if g.Phone != "" {
			cs = append(cs, Communicatie{Soort: "telefoon", Nummer: g.Phone})
		}
		if g.Email != "" {
			cs = append(cs, Communicatie{Soort: "e-mail", Nummer: g.Email})
		}
		if len(cs) > 0 {
			v.Communicatielijst = &Communicatielijst{Communicatie: cs}
		}
		l.Verzorgers = append(l.Verzorgers, v)
	}
	return d, nil
}

// Marshal writes the dossier as UTF-8 XML.
func Marshal(d *Dossier) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// schoolYear is the school year of day: from 1 August.
func schoolYear(day time.Time) string {
	y := day.Year()
	if day.Month() < time.August {
		y--
	}
	return fmt.Sprintf("%d-%d", y, y+1)
}

func textDocument(name, description, text string) Document {
	return Document{Bestandsnaam: name, Omschrijving: description, Inhoud: base64.StdEncoding.EncodeToString([]byte(text))}
}

func actionPartText(v plan.TransferVersion) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Handelingsdeel versie %d (cyclus %d), vastgelegd %s\n\nDoelen\n", v.Number, v.Cycle, v.FrozenOn)
	for _, g := range v.Content.Goals {
		fmt.Fprintf(&b, "- %s: %s (behaald als: %s; bekijken op %s)\n", g.Domain, g.Goal, g.Criterion, g.EvaluateOn)
	}
	b.WriteString("\nOndersteuning\n")
	for _, s := range v.Content.Support {
		fmt.Fprintf(&b, "- %s · door %s · %s · %s\n", s.What, s.Who, s.HowOften, s.Where)
	}
	if v.Content.Deviations != "" {
		fmt.Fprintf(&b, "\nAfwijkingen van het reguliere programma\n%s\n", v.Content.Deviations)
	}
	fmt.Fprintf(&b, "\nInstemming: %s %s\n", v.ConsentStatus, v.ConsentOn)
	return b.String()
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

func nonEmpty(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return []string{s}
}
