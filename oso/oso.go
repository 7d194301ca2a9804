// Package oso reads and writes the OSO gegevensset 2019.1 of
// Edustandaard: the dossier a school hands to the next school when a
// pupil moves (overstapdossier, profile OV: POPO, POVO, VOVO) and the one
// it sends its samenwerkingsverband with a request for support (profile
// PaO: POSWV, VOSWV). The part of the standard TOP dossier holds is
// modelled here; the rest of a received file is recognised (for the
// profile's rules) and left out. Pure Go, so it fuzzes; the schema check
// is oso/schema.
package oso

import (
	"encoding/xml"
	"slices"
)

// Namespace is the namespace of the 2019 dossier.
const Namespace = "http://www.edustandaard.nl/oso_gegevensset/2019/dossier"

// The profiles and their kinds of transfer (codelijst 16).
const (
	ProfileOV  = "OV"
	ProfilePaO = "PaO"
)

// Overstappen are the kinds of transfer per profile.
var Overstappen = map[string][]string{
	ProfileOV:  {"POPO", "POVO", "VOVO"},
	ProfilePaO: {"POSWV", "VOSWV"},
}

// ProfileOf is the profile of a kind of transfer, "" for an unknown one.
func ProfileOf(overstap string) string {
	for p, kinds := range Overstappen {
		if slices.Contains(kinds, overstap) {
			return p
		}
	}
	return ""
}

// The values of a category (categorie_uitlevering): how the profile
// treats it, or OPT-UIT where the parents opted out of an optional one.
const (
	Required  = "VERPLICHT"
	Optional  = "OPTIONEEL"
	Forbidden = "VERBODEN"
	OptedOut  = "OPT-UIT"
)

// The categories (hoofdblokken) in the order of the schema.
const (
	CatMetadata      = "metadata"
	CatInzage        = "ouderinzage"
	CatSchool        = "school"
	CatLeerling      = "leerling"
	CatVerzorgers    = "oudersverzorgers"
	CatVVE           = "vve"
	CatLoopbaan      = "schoolloopbaan"
	CatOverstap      = "overstapadvies"
	CatOndersteuning = "onderwijsondersteuning"
	CatVerzuim       = "verzuim"
	CatEindtoets     = "eindtoetsbo"
	CatToetsen       = "toetsresultaten"
	CatHandeling     = "handelingsplannen"
	CatCijfers       = "cijferlijsten"
	CatVOMBO         = "vombo"
	CatBijlagen      = "bijlagedocs"
)

// Categories are all categories, in the schema's order.
func Categories() []string {
	return []string{CatMetadata, CatInzage, CatSchool, CatLeerling, CatVerzorgers, CatVVE, CatLoopbaan, CatOverstap,
		CatOndersteuning, CatVerzuim, CatEindtoets, CatToetsen, CatHandeling, CatCijfers, CatVOMBO, CatBijlagen}
}

// CategoryLabel is a category's Dutch name, as the profile document has it.
func CategoryLabel(cat string) string {
	return map[string]string{CatMetadata: "Metadata", CatInzage: "Ouderinzage", CatSchool: "School", CatLeerling: "Leerling",
		CatVerzorgers: "Ouders/verzorgers", CatVVE: "Voor- en vroegschoolse educatie", CatLoopbaan: "Schoolloopbaan",
		CatOverstap: "Overstapadvies", CatOndersteuning: "Onderwijsondersteuning", CatVerzuim: "Verzuim",
		CatEindtoets: "Eindtoets basisonderwijs", CatToetsen: "Toetsresultaten", CatHandeling: "Handelingsplannen",
		CatCijfers: "Cijferlijsten", CatVOMBO: "Overstap vo-mbo", CatBijlagen: "Bijlagen"}[cat]
}

// Rules are the profile's rule per category for a kind of transfer: what
// must go, what may (the parents may opt out), what may not. PaO (to the
// SWV): the support is required, the final test and vo-mbo data are
// forbidden, and so are the BSN and the onderwijsnummer (FieldRules). OV:
// the transfer advice and final test belong to PO→VO only, vo-mbo data
// never.
func Rules(overstap string) map[string]string {
	r := map[string]string{}
	for _, c := range Categories() {
		r[c] = Optional
	}
	for _, c := range []string{CatMetadata, CatSchool, CatLeerling, CatVerzorgers, CatLoopbaan} {
		r[c] = Required
	}
	r[CatVOMBO] = Forbidden
	switch ProfileOf(overstap) {
	case ProfilePaO:
		r[CatOndersteuning] = Required
		r[CatEindtoets] = Forbidden
	case ProfileOV:
		if overstap != "POVO" {
			r[CatOverstap], r[CatEindtoets] = Forbidden, Forbidden
		}
		if overstap == "POPO" {
			r[CatCijfers] = Forbidden
		}
	}
	return r
}

// Dossier is the OSO dossier, in the schema's order.
type Dossier struct {
	XMLName         xml.Name `xml:"http://www.edustandaard.nl/oso_gegevensset/2019/dossier dossier"`
	Metadata        Metadata `xml:"metadata"`
	Overdrachtsoort string   `xml:"overdrachtsoort"`
	Inzage          *Inzage  `xml:"inzage"`
	School          School   `xml:"huidigeschool"`
}

// Metadata says what the dossier is.
type Metadata struct {
	Deeldossier     string      `xml:"deeldossier"`
	Pakketnaam      string      `xml:"pakketnaam"`
	Pakketversie    string      `xml:"pakketversie"`
	Datum           string      `xml:"datum"`
	Standaardversie string      `xml:"standaardversie"`
	Validatieversie string      `xml:"validatieversie"`
	Categorieen     *Categorien `xml:"categorie_uitlevering"`
	Overstap        string      `xml:"overstap,omitempty"`
}

// Categorien is categorie_uitlevering: per category how it is delivered.
type Categorien struct {
	Metadata      string `xml:"cat_metadata"`
	Inzage        string `xml:"cat_ouderinzage"`
	School        string `xml:"cat_school"`
	Leerling      string `xml:"cat_leerling"`
	Verzorgers    string `xml:"cat_oudersverzorgers"`
	VVE           string `xml:"cat_vve"`
	Loopbaan      string `xml:"cat_schoolloopbaan"`
	Overstap      string `xml:"cat_overstapadvies"`
	Ondersteuning string `xml:"cat_onderwijsondersteuning"`
	Verzuim       string `xml:"cat_verzuim"`
	Eindtoets     string `xml:"cat_eindtoetsbo"`
	Toetsen       string `xml:"cat_toetsresultaten"`
	Handeling     string `xml:"cat_handelingsplannen"`
	Cijfers       string `xml:"cat_cijferlijsten"`
	VOMBO         string `xml:"cat_vombo"`
	Bijlagen      string `xml:"cat_bijlagedocs"`
}

// Map is the categories by name.
func (c Categorien) Map() map[string]string {
	return map[string]string{CatMetadata: c.Metadata, CatInzage: c.Inzage, CatSchool: c.School, CatLeerling: c.Leerling,
		CatVerzorgers: c.Verzorgers, CatVVE: c.VVE, CatLoopbaan: c.Loopbaan, CatOverstap: c.Overstap, CatOndersteuning: c.Ondersteuning,
		CatVerzuim: c.Verzuim, CatEindtoets: c.Eindtoets, CatToetsen: c.Toetsen, CatHandeling: c.Handeling, CatCijfers: c.Cijfers,
		CatVOMBO: c.VOMBO, CatBijlagen: c.Bijlagen}
}

// CategorienOf is the block for the values by name.
func CategorienOf(m map[string]string) *Categorien {
	return &Categorien{Metadata: m[CatMetadata], Inzage: m[CatInzage], School: m[CatSchool], Leerling: m[CatLeerling],
		Verzorgers: m[CatVerzorgers], VVE: m[CatVVE], Loopbaan: m[CatLoopbaan], Overstap: m[CatOverstap], Ondersteuning: m[CatOndersteuning],
		Verzuim: m[CatVerzuim], Eindtoets: m[CatEindtoets], Toetsen: m[CatToetsen], Handeling: m[CatHandeling], Cijfers: m[CatCijfers],
		VOMBO: m[CatVOMBO], Bijlagen: m[CatBijlagen]}
}

// Inzage is the parents' inzage in the dossier before it goes.
type Inzage struct {
	Voorlopig        bool   `xml:"voorlopigdossier"`
	Inzage           *bool  `xml:"inzage"`
	Datum            string `xml:"inzagedatum,omitempty"`
	Akkoord          string `xml:"akkoord,omitempty"`
	RedenNietAkkoord string `xml:"redennietakkoord,omitempty"`
	Toestemming      string `xml:"toestemming,omitempty"`
}

// School is the current school (huidigeschool) with the pupil.
type School struct {
	Naam              string             `xml:"naam"`
	Adreslijst        *Raw               `xml:"adreslijst"`
	Communicatielijst *Communicatielijst `xml:"communicatielijst"`
	Brincode          string             `xml:"brincode"`
	Vestigingscode    string             `xml:"vestigingscode"`
	Aanleverpunt      string             `xml:"aanleverpunt"`
	Soort             string             `xml:"soort,omitempty"`
	Type              string             `xml:"type,omitempty"`
	Naamdirecteur     string             `xml:"naamdirecteur,omitempty"`
	Website           string             `xml:"website,omitempty"`
	Leerling          Leerling           `xml:"leerling"`
}

// Raw is a block TOP dossier does not model: kept as it came, so its
// presence counts for the profile's rules.
type Raw struct {
	Inner []byte `xml:",innerxml"`
}

// Communicatielijst is a list of phone numbers and addresses.
type Communicatielijst struct {
	Communicatie []Communicatie `xml:"communicatie"`
}

// Communicatie is one phone number or e-mail address.
type Communicatie struct {
	Soort      string `xml:"soort"`
	Aanduiding string `xml:"aanduiding,omitempty"`
	Nummer     string `xml:"nummer"`
	Geheim     *bool  `xml:"geheim"`
	Noodnummer *bool  `xml:"noodnummer"`
}

// Leerling is the pupil, in the schema's order; the blocks TOP dossier
// does not keep are Raw.
type Leerling struct {
	Voornaam          []string           `xml:"voornaam"`
	Voorletters       string             `xml:"voorletters-1,omitempty"`
	Voorvoegsel       string             `xml:"voorvoegsel,omitempty"`
	Achternaam        string             `xml:"achternaam"`
	Roepnaam          string             `xml:"roepnaam,omitempty"`
	Geboortedatum     string             `xml:"geboortedatum,omitempty"`
	Geboortemaand     string             `xml:"geboortemaand,omitempty"`
	Geslacht          string             `xml:"geslacht,omitempty"`
	Adresgeheim       *bool              `xml:"adresgeheim"`
	Adreslijst        *Raw               `xml:"adreslijst"`
	Postcode4         string             `xml:"postcode4adres,omitempty"`
	Communicatielijst *Communicatielijst `xml:"communicatielijst"`
	GBA               *Raw               `xml:"gba"`
	Adresbuitenland   []Raw              `xml:"adresbuitenland"`
	Geboorteplaats    string             `xml:"geboorteplaats,omitempty"`
	Nationaliteit     []Raw              `xml:"nationaliteit"`
	Onderwijsnummer   string             `xml:"onderwijsnummer,omitempty"`
	BSN               string             `xml:"bsn,omitempty"`
	LeerlingID        string             `xml:"leerlingid,omitempty"`
	Onderwijssinds    string             `xml:"onderwijssinds,omitempty"`
	StartHuidig       string             `xml:"startdatumhuidigonderwijs,omitempty"`
	Inschrijving      string             `xml:"datuminschrijving,omitempty"`
	Uitschrijving     string             `xml:"datumuitschrijving,omitempty"`
	Teruggeplaatst    string             `xml:"teruggeplaatstnaarbrin,omitempty"`
	Gewicht           string             `xml:"leerlinggewicht,omitempty"`
	NNCA              string             `xml:"nnca,omitempty"`
	Tehuis            *bool              `xml:"tehuis"`
	Huisarts          *Raw               `xml:"huisarts"`
	VerzorgersAanspr  *bool              `xml:"verzorgersaansprakelijk"`
	AansprInstelling  *Raw               `xml:"aansprakelijkeinstelling"`
	Overstapadvies    *Raw               `xml:"overstapadvies"`
	VanPeuter         *bool              `xml:"vanpeuterspeelzaal"`
	NaamPeuter        string             `xml:"naampeuterspeelzaal,omitempty"`
	Voorschools       *Raw               `xml:"voorschools"`
	Vroegschools      []Raw              `xml:"vroegschools"`
	Loopbaan          *Loopbaanlijst     `xml:"schoolloopbaanlijst"`
	Ondersteuning     *Ondersteuning     `xml:"onderwijsondersteuning"`
	Verzuim           *Raw               `xml:"verzuim"`
	Eindtoets         *Raw               `xml:"eindtoets_basisonderwijs"`
	Toetsen           *Toetslijst        `xml:"toetslijst"`
	Cijferlijsten     *Raw               `xml:"cijferlijstlijst"`
	Overig            *Documentlijst     `xml:"overigdocumentlijst"`
	Verzorgers        []Verzorger        `xml:"verzorger"`
	Bevorderd         *Raw               `xml:"bevorderd"`
	Examen            *Raw               `xml:"examenresultaat"`
	VakkenVO          []Raw              `xml:"resultaatvakkenvo"`
	Certificaat       []string           `xml:"certificaat"`
	Competenties      []Raw              `xml:"competenties"`
	Stage             []Raw              `xml:"stage"`
	OverigVOMBO       *Raw               `xml:"overigvombo"`
}

// Loopbaanlijst is the school career.
type Loopbaanlijst struct {
	Jaren []Loopbaan `xml:"schoolloopbaan"`
}

// Loopbaan is one school year at a school.
type Loopbaan struct {
	Schooljaar     string `xml:"schooljaar"`
	Groepscode     string `xml:"groepscode"`
	Groepsnaam     string `xml:"groepsnaam,omitempty"`
	Jaargroep      string `xml:"jaargroep"`
	Begindatum     string `xml:"begindatum,omitempty"`
	Einddatum      string `xml:"einddatum,omitempty"`
	Brincode       string `xml:"brincode"`
	Vestigingscode string `xml:"vestigingscode"`
	Schoolsoort    string `xml:"schoolsoort,omitempty"`
	Schooltype     string `xml:"schooltype,omitempty"`
	Elementcode    string `xml:"voelementcode,omitempty"`
	Element        string `xml:"voelementomschrijving,omitempty"`
	Omschrijving   string `xml:"schoolsoortomschrijving,omitempty"`
}

// Ondersteuning is onderwijsondersteuning: the needs, diagnoses, plans,
// the OPP, TLVs and arrangements.
type Ondersteuning struct {
	Toelichting     *DocumentBlok    `xml:"toelichting_onderwijsbehoeften"`
	Diagnoses       []Diagnose       `xml:"diagnose"`
	Medicijnen      *bool            `xml:"medicijngebruik"`
	Handelingsplans []Handelingsplan `xml:"handelingsplan"`
	OPP             *OPP             `xml:"opp"`
	TLVs            []TLV            `xml:"tlv"`
	Cluster12       []Raw            `xml:"arrangement_cluster12"`
	Arrangementen   []Arrangement    `xml:"arrangement_pao"`
	LWOO            *Raw             `xml:"lwoo"`
	RVC             *Raw             `xml:"rvc"`
}

// DocumentBlok holds one document.
type DocumentBlok struct {
	Document Document `xml:"document"`
}

// Document is a file, base64 in the XML.
type Document struct {
	Bestandsnaam string `xml:"bestandsnaam"`
	Omschrijving string `xml:"omschrijving,omitempty"`
	Inhoud       string `xml:"bestandsinhoud"`
}

// Diagnose is a diagnosis with who made it.
type Diagnose struct {
	Code      []string   `xml:"code"`
	Naam      string     `xml:"naam,omitempty"`
	Datum     string     `xml:"datum,omitempty"`
	DoorWie   string     `xml:"doorwie,omitempty"`
	Instantie string     `xml:"instantie,omitempty"`
	Documents []Document `xml:"document"`
}

// Handelingsplan is a plan of action with its period.
type Handelingsplan struct {
	Start       string    `xml:"startdatum"`
	Eind        string    `xml:"einddatum,omitempty"`
	IsGerichtOp string    `xml:"isgerichtop"`
	Document    *Document `xml:"document"`
}

// OPP is the ontwikkelingsperspectiefplan with its period.
type OPP struct {
	Ingang    string     `xml:"opp_ingangdatum"`
	Eind      string     `xml:"opp_einddatum,omitempty"`
	Documents []Document `xml:"document"`
}

// TLV is a toelaatbaarheidsverklaring.
type TLV struct {
	Ingang         string    `xml:"tlvingangdatum"`
	SWV            string    `xml:"tlvswvnummer"`
	Categorie      string    `xml:"tlvcategorie"`
	Beschikkingsnr string    `xml:"tlvbeschikkingsnummer"`
	Eind           string    `xml:"tlveinddatum,omitempty"`
	Document       *Document `xml:"document"`
}

// Arrangement is an arrangement of the SWV (passend onderwijs).
type Arrangement struct {
	Datum          string `xml:"arrangement_datum"`
	Kenmerk        string `xml:"arrangement_kenmerk,omitempty"`
	Beschikkingsnr string `xml:"arrangement_beschikkingsnr,omitempty"`
	Eind           string `xml:"arrangement_einddatum,omitempty"`
}

// Toetslijst is the list of test results.
type Toetslijst struct {
	Toetsen []Toets `xml:"toets"`
}

// Toets is one test taken, with its result.
type Toets struct {
	ID        ToetsID   `xml:"toetsidentificatie"`
	Afname    Afname    `xml:"afname"`
	Resultaat Resultaat `xml:"resultaat"`
	Onderdeel []Raw     `xml:"toetsonderdeel"`
	Opmerking string    `xml:"opmerking,omitempty"`
}

// ToetsID names the test.
type ToetsID struct {
	Code       string `xml:"eldtoetscode"`
	Leergebied string `xml:"leergebied,omitempty"`
	Naam       string `xml:"toetsnaam,omitempty"`
	Versie     string `xml:"toetsversie,omitempty"`
}

// Afname is when (and by whom) it was taken.
type Afname struct {
	Datum     string `xml:"afnamedatum"`
	Jaargroep string `xml:"jaargroep,omitempty"`
	DL        string `xml:"dl,omitempty"`
	Door      *Raw   `xml:"afgenomendoor"`
}

// Resultaat is the result: a score and reference scores.
type Resultaat struct {
	Score      *Toetsscore       `xml:"toetsscore"`
	Referentie []Referentiescore `xml:"referentiescore"`
	Document   *Document         `xml:"document"`
}

// Toetsscore are the raw scores.
type Toetsscore struct {
	Opgaven           string `xml:"aantalopgaven,omitempty"`
	Goed              string `xml:"aantalgoed,omitempty"`
	Fout              string `xml:"aantalfout,omitempty"`
	Gelezen           string `xml:"aantalgelezen,omitempty"`
	Tijd              string `xml:"tijd,omitempty"`
	Vaardigheidsscore string `xml:"vaardigheidsscore,omitempty"`
	Schaal            string `xml:"codevaardigheidsschaal,omitempty"`
	Interval          *Raw   `xml:"betrouwbaarheidsinterval"`
}

// Referentiescore is a score against a norm.
type Referentiescore struct {
	Code         string `xml:"codereferentiescore"`
	Groep        string `xml:"codevergelijkingsgroep"`
	Waarde       string `xml:"waarde"`
	Kwalificatie string `xml:"kwalificatie,omitempty"`
}

// Documentlijst is a list of documents (bijlagen).
type Documentlijst struct {
	Documents []Document `xml:"document"`
}

// Verzorger is a parent or carer.
type Verzorger struct {
	Voornaam          []string           `xml:"voornaam"`
	Voorletters       string             `xml:"voorletters-1,omitempty"`
	Voorvoegsel       string             `xml:"voorvoegsel,omitempty"`
	Achternaam        string             `xml:"achternaam"`
	Roepnaam          string             `xml:"roepnaam,omitempty"`
	Geslacht          string             `xml:"geslacht,omitempty"`
	Adresgeheim       *bool              `xml:"adresgeheim"`
	Adreslijst        *Raw               `xml:"adreslijst"`
	Communicatielijst *Communicatielijst `xml:"communicatielijst"`
	Relatie           string             `xml:"relatietotkind,omitempty"`
	Overleden         *bool              `xml:"overleden"`
	Overlijdensdatum  string             `xml:"overlijdensdatum,omitempty"`
	Wettig            bool               `xml:"wettigevertegenwoordiger"`
	Banknummer        string             `xml:"banknummer,omitempty"`
	IBAN              string             `xml:"iban,omitempty"`
}
