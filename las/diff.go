package las

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Current is what the school has of the LAS now: its pupils (with the
// LAS key or eckid they were imported with, or none when typed in), the
// groups and the teachers of the last import.
type Current struct {
	Pupils   []CurrentPupil
	Groups   []CurrentGroup
	Teachers []CurrentTeacher
}

// CurrentPupil is a pupil of the school as the import compares it.
type CurrentPupil struct {
	ID         uuid.UUID
	Key, ECKID string
	GivenName  string
	NameInfix  string
	FamilyName string
	BirthDate  time.Time
	GroupName  string
	YearGroup  *int16
	Left       bool       // the pupil left the school
	Missing    *time.Time // not in the LAS since; nil while in it
	Kept       bool       // the school keeps the pupil though the LAS does not have them
}

// CurrentGroup is a group of the last import.
type CurrentGroup struct{ Key, Name string }

// CurrentTeacher is a teacher of the last import and the account they
// are linked to (nil: nobody yet).
type CurrentTeacher struct {
	Key, ECKID, Name string
	Groups           []string // group names
	UserID           *uuid.UUID
}

// Account is a teacher's account of the licence, to link a teacher of the
// file to by e-mail address.
type Account struct {
	UserID uuid.UUID
	Email  string
	Name   string
}

// Preview is what an import would change, and what applying writes: every
// row carries the values to write. It holds names, so it lives in the
// school's database only.
type Preview struct {
	Version   string `json:"version"`
	InFile    int    `json:"pupils_in_file"`
	Unchanged int    `json:"unchanged"`
	// Active is the number of the school's pupils in school now, the base
	// of the leaving share.
	Active   int             `json:"active"`
	New      []PupilRow      `json:"new"`
	Changed  []PupilChange   `json:"changed"`
	Gone     []PupilRow      `json:"gone"`
	Back     []PupilRow      `json:"back"`
	Skipped  []Skipped       `json:"skipped"`
	Similar  []PupilRow      `json:"similar"` // new pupils with the name and birth date of a pupil without LAS key
	Groups   []GroupChange   `json:"groups"`
	Teachers []TeacherChange `json:"teachers"`
}

// PupilRow is one pupil of the file with the values to write.
type PupilRow struct {
	PupilID    *uuid.UUID `json:"pupil_id,omitempty"`
	Key        string     `json:"key"`
	ECKID      string     `json:"eckid,omitempty"`
	GivenName  string     `json:"given_name"`
	NameInfix  string     `json:"name_infix"`
	FamilyName string     `json:"family_name"`
	BirthDate  *time.Time `json:"birth_date,omitempty"`
	GroupName  string     `json:"group_name"`
	YearGroup  *int16     `json:"year_group,omitempty"`
	// YearGroupSet: the file gives a jaargroep (YearGroup nil then means
	// one outside 1–8); without, the pupil's stays.
	YearGroupSet bool       `json:"year_group_set,omitempty"`
	EnrolledOn   *time.Time `json:"enrolled_on,omitempty"`
	LeftOn       *time.Time `json:"left_on,omitempty"` // the LAS's uitstroomdatum of a pupil gone
	Line         int        `json:"line,omitempty"`
}

// Name is the pupil's name as the pages show it.
func (r PupilRow) Name() string {
	return strings.Join(strings.Fields(r.GivenName+" "+r.NameInfix+" "+r.FamilyName), " ")
}

// PupilChange is a pupil the file changes, field by field.
type PupilChange struct {
	PupilRow
	Fields []FieldChange `json:"fields"`
}

// FieldChange is one changed value, as the pages show it.
type FieldChange struct {
	Field string `json:"field"` // given_name, name_infix, family_name, birth_date, group_name, year_group, eckid
	From  string `json:"from"`
	To    string `json:"to"`
}

// Skipped is a pupil of the file not taken over, and why.
type Skipped struct {
	Key    string `json:"key"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// GroupChange is a group that is new, renamed or gone.
type GroupChange struct {
	Key    string `json:"key"`
	Change string `json:"change"` // new, renamed, gone
	Name   string `json:"name"`
	From   string `json:"from,omitempty"`
}

// TeacherChange is a teacher of the file (or of the last import, gone)
// with their groups before and after, and the account their groups go to.
type TeacherChange struct {
	Key    string     `json:"key"`
	ECKID  string     `json:"eckid,omitempty"`
	Name   string     `json:"name"`
	Change string     `json:"change"` // new, groups, gone, same
	Groups []string   `json:"groups"`
	Before []string   `json:"before,omitempty"`
	UserID *uuid.UUID `json:"user_id,omitempty"`
	Email  string     `json:"email,omitempty"`
}

// Leaving is the share of the school's pupils in school who would be
// marked gone, 0–1.
func (p *Preview) Leaving() float64 {
	if p.Active == 0 {
		return 0
	}
	return float64(len(p.Gone)) / float64(p.Active)
}

// Empty reports whether applying changes nothing.
func (p *Preview) Empty() bool {
	if len(p.New)+len(p.Changed)+len(p.Gone)+len(p.Back)+len(p.Groups) > 0 {
		return false
	}
	for _, t := range p.Teachers {
		if t.Change != "same" {
			return false
		}
	}
	return true
}

// Digest identifies a preview: applying refuses when the preview made
// again at that moment differs from the one the school saw.
func (p *Preview) Digest() string {
	b, _ := json.Marshal(p)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// YearGroupNumber is a jaargroep as the pupil record keeps it: 1–8, or
// nil for the others (peuters, VO years, S, V, C, H …).
func YearGroupNumber(v string) *int16 {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 8 {
		return nil
	}
	y := int16(n)
	return &y
}

// Diff compares a file with what the school has. Pupils match by eckid
// where the file has one, else by the LAS key (the school's database
// holds one BRIN, checked before), never by name. today decides whether
// a pupil's uitstroomdatum has passed.
func Diff(f *File, cur Current, accounts []Account, today time.Time) *Preview {
	p := &Preview{Version: f.Version, InFile: len(f.Pupils)}
	byKey, byECK := map[string]*CurrentPupil{}, map[string]*CurrentPupil{}
	type nameKey struct {
		name  string
		birth time.Time
	}
	keyless := map[nameKey]uuid.UUID{}
	for i := range cur.Pupils {
		c := &cur.Pupils[i]
		if !c.Left {
			p.Active++
		}
		if c.Key != "" {
			byKey[c.Key] = c
		}
		if c.ECKID != "" {
			byECK[c.ECKID] = c
		}
		if c.Key == "" && c.ECKID == "" && !c.Left {
			keyless[nameKey{strings.ToLower(c.GivenName + " " + c.NameInfix + " " + c.FamilyName), c.BirthDate}] = c.ID
		}
	}
	groupName := map[string]string{}
	for _, g := range f.Groups {
		groupName[g.Key] = g.Name
	}
	enrolled := today
	if f.RefDate != nil && f.RefDate.Before(today) {
		enrolled = *f.RefDate
	}
	seen := map[uuid.UUID]bool{}
	for _, fp := range f.Pupils {
		var c *CurrentPupil
		if fp.ECKID != "" {
			c = byECK[fp.ECKID]
		}
		if c == nil {
			if k := byKey[fp.Key]; k != nil && (k.ECKID == "" || fp.ECKID == "" || k.ECKID == fp.ECKID) {
				c = k
			}
		}
		left := fp.LeftOn != nil && !fp.LeftOn.After(today)
		row := PupilRow{Key: fp.Key, ECKID: fp.ECKID, GivenName: fp.GivenName, NameInfix: fp.NameInfix, FamilyName: fp.FamilyName,
			BirthDate: fp.BirthDate, GroupName: groupName[fp.GroupKey], YearGroup: YearGroupNumber(fp.YearGroup),
			YearGroupSet: fp.YearGroup != "", Line: fp.Line}
		if c == nil {
			switch {
			case left:
				p.Skipped = append(p.Skipped, Skipped{fp.Key, fp.Line, fmt.Sprintf("al uitgeschreven in de leerlingadministratie (%s): niet overgenomen", fp.LeftOn.Format("02-01-2006"))})
				continue
			case fp.BirthDate == nil:
				p.Skipped = append(p.Skipped, Skipped{fp.Key, fp.Line, "de geboortedatum ontbreekt; zonder geboortedatum gelden de leeftijdsregels niet. Vul die aan in de leerlingadministratie, de volgende import neemt de leerling mee"})
				continue
			case fp.GivenName == "" && fp.FamilyName == "":
				p.Skipped = append(p.Skipped, Skipped{fp.Key, fp.Line, "de naam ontbreekt"})
				continue
			}
			e := enrolled
			if fp.EnteredOn != nil {
				e = *fp.EnteredOn
			}
			if !e.After(*fp.BirthDate) {
				p.Skipped = append(p.Skipped, Skipped{fp.Key, fp.Line, "de instroomdatum ligt niet na de geboortedatum"})
				continue
			}
			row.EnrolledOn = &e
			p.New = append(p.New, row)
			if id, ok := keyless[nameKey{strings.ToLower(fp.GivenName + " " + fp.NameInfix + " " + fp.FamilyName), *fp.BirthDate}]; ok {
				sim := row
				sim.PupilID = &id
				p.Similar = append(p.Similar, sim)
			}
			continue
		}
		seen[c.ID] = true
		id := c.ID
		row.PupilID = &id
		if c.Left {
			p.Unchanged++ // left the school here; the LAS follows
			continue
		}
		if left {
			row.LeftOn = fp.LeftOn
			if c.Missing == nil && !c.Kept {
				p.Gone = append(p.Gone, row)
			} else {
				p.Unchanged++
			}
			continue
		}
		var fields []FieldChange
		change := func(field, from, to string) {
			if to != "" && from != to {
				fields = append(fields, FieldChange{field, from, to})
			}
		}
		change("given_name", c.GivenName, fp.GivenName)
		change("family_name", c.FamilyName, fp.FamilyName)
		if fp.FamilyName != "" && c.NameInfix != fp.NameInfix {
			fields = append(fields, FieldChange{"name_infix", c.NameInfix, fp.NameInfix})
		}
		if fp.BirthDate != nil && !fp.BirthDate.Equal(c.BirthDate) {
			fields = append(fields, FieldChange{"birth_date", c.BirthDate.Format(time.DateOnly), fp.BirthDate.Format(time.DateOnly)})
		}
		if fp.GroupKey != "" {
			change("group_name", c.GroupName, row.GroupName)
		}
		if fp.YearGroup != "" && !sameYear(c.YearGroup, row.YearGroup) {
			fields = append(fields, FieldChange{"year_group", yearText(c.YearGroup), yearText(row.YearGroup)})
		}
		change("las_key", c.Key, fp.Key)
		change("eckid", c.ECKID, fp.ECKID)
		if c.Missing != nil || c.Kept {
			p.Back = append(p.Back, row)
		}
		if len(fields) == 0 {
			if c.Missing == nil && !c.Kept {
				p.Unchanged++
			}
			continue
		}
		p.Changed = append(p.Changed, PupilChange{PupilRow: row, Fields: fields})
	}
	for _, c := range cur.Pupils {
		if seen[c.ID] || c.Left || (c.Key == "" && c.ECKID == "") || c.Missing != nil || c.Kept {
			continue
		}
		id := c.ID
		p.Gone = append(p.Gone, PupilRow{PupilID: &id, Key: c.Key, ECKID: c.ECKID, GivenName: c.GivenName,
			NameInfix: c.NameInfix, FamilyName: c.FamilyName, GroupName: c.GroupName})
	}
	// Groups: by key, so a renamed group keeps its pupils and teachers.
	old := map[string]string{}
	for _, g := range cur.Groups {
		old[g.Key] = g.Name
	}
	for _, g := range f.Groups {
		switch from, ok := old[g.Key]; {
		case !ok:
			p.Groups = append(p.Groups, GroupChange{Key: g.Key, Change: "new", Name: g.Name})
		case from != g.Name:
			p.Groups = append(p.Groups, GroupChange{Key: g.Key, Change: "renamed", Name: g.Name, From: from})
		}
		delete(old, g.Key)
	}
	for _, g := range cur.Groups {
		if _, ok := old[g.Key]; ok {
			p.Groups = append(p.Groups, GroupChange{Key: g.Key, Change: "gone", Name: g.Name})
		}
	}
	p.Teachers = teachers(f, cur, accounts, groupName)
	sort.SliceStable(p.New, func(i, j int) bool { return p.New[i].Line < p.New[j].Line })
	return p
}

// teachers pairs the file's teachers with the last import's and their
// accounts: the link made before, else the account with the teacher's
// e-mail address. Composite groups give no access of their own: a
// pupil's access follows the stamgroep.
func teachers(f *File, cur Current, accounts []Account, groupName map[string]string) []TeacherChange {
	prev := map[string]CurrentTeacher{}
	for _, t := range cur.Teachers {
		prev[t.Key] = t
	}
	composite := map[string]bool{}
	for _, g := range f.Groups {
		composite[g.Key] = g.Composite
	}
	byEmail := map[string]uuid.UUID{}
	for _, a := range accounts {
		byEmail[strings.ToLower(a.Email)] = a.UserID
	}
	var out []TeacherChange
	for _, t := range f.Teachers {
		var groups []string
		for _, k := range t.GroupKeys {
			if !composite[k] && groupName[k] != "" && !slices.Contains(groups, groupName[k]) {
				groups = append(groups, groupName[k])
			}
		}
		sort.Strings(groups)
		tc := TeacherChange{Key: t.Key, ECKID: t.ECKID, Name: t.Name, Groups: groups, Email: t.Email, Change: "new"}
		if id, ok := byEmail[t.Email]; ok && t.Email != "" {
			tc.UserID = &id
		}
		if p, ok := prev[t.Key]; ok {
			if tc.UserID == nil {
				tc.UserID = p.UserID
			}
			tc.Before = p.Groups
			tc.Change = "same"
			if !slices.Equal(p.Groups, groups) {
				tc.Change = "groups"
			}
			if !sameUser(p.UserID, tc.UserID) || p.Name != t.Name {
				tc.Change = "groups"
				if slices.Equal(p.Groups, groups) {
					tc.Change = "linked"
				}
			}
			delete(prev, t.Key)
		}
		out = append(out, tc)
	}
	for _, t := range cur.Teachers {
		if _, ok := prev[t.Key]; ok {
			out = append(out, TeacherChange{Key: t.Key, ECKID: t.ECKID, Name: t.Name, Change: "gone", Before: t.Groups, UserID: t.UserID})
		}
	}
	return out
}

func sameUser(a, b *uuid.UUID) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func sameYear(a, b *int16) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}

func yearText(y *int16) string {
	if y == nil {
		return "—"
	}
	return strconv.Itoa(int(*y))
}

// Summary is the preview as text, for the command line: the counts, then
// every pupil and group that changes.
func Summary(p *Preview) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d leerlingen in het bestand, %d gelijk.\n", p.InFile, p.Unchanged)
	fmt.Fprintf(&b, "Nieuw: %d. Gewijzigd: %d. Niet meer in de leerlingadministratie: %d (%.0f%%). Weer terug: %d. Niet overgenomen: %d.\n",
		len(p.New), len(p.Changed), len(p.Gone), p.Leaving()*100, len(p.Back), len(p.Skipped))
	for _, r := range p.New {
		fmt.Fprintf(&b, "  nieuw       %s (%s), groep %s\n", r.Name(), r.Key, r.GroupName)
	}
	for _, c := range p.Changed {
		for _, f := range c.Fields {
			fmt.Fprintf(&b, "  gewijzigd   %s (%s): %s %q → %q\n", c.Name(), c.Key, f.Field, f.From, f.To)
		}
	}
	for _, r := range p.Gone {
		fmt.Fprintf(&b, "  weg         %s (%s)\n", r.Name(), r.Key)
	}
	for _, s := range p.Skipped {
		fmt.Fprintf(&b, "  overgeslagen regel %d, leerling %s: %s\n", s.Line, s.Key, s.Reason)
	}
	for _, g := range p.Groups {
		fmt.Fprintf(&b, "  groep       %s: %s\n", g.Name, g.Change)
	}
	for _, t := range p.Teachers {
		if t.Change != "same" {
			fmt.Fprintf(&b, "  leerkracht  %s: %s, groepen %s\n", t.Name, t.Change, strings.Join(t.Groups, ", "))
		}
	}
	return b.String()
}
