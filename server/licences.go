package server

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/topdossier/topdossier/auth"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/fault"
	"github.com/topdossier/topdossier/service"
)

type licencesPage struct {
	Licences    []platform.ListLicencesRow
	SWVs        []platform.Swv
	SchoolTypes []platform.SchoolType
	Form        service.LicenceInput
	Errors      fault.FieldErrors
	SWVForm     service.SWVInput
	SWVErrors   fault.FieldErrors
	// Removals: the open removal of each closing licence; History the
	// platform's records of removals, newest first.
	Removals map[uuid.UUID]platform.LicenceRemoval
	History  []platform.LicenceRemoval
}

// handleSWVCreate registers a samenwerkingsverband, so licences can be
// made for it.
func (s *Server) handleSWVCreate(c *gin.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	in := service.SWVInput{Code: c.PostForm("code"), Name: c.PostForm("swv_name")}
	err := s.licences.CreateSWV(c, in)
	errs, ok := asFieldErrors(err)
	if err != nil && !ok {
		return err
	}
	if errs != nil {
		page, err := s.licencesPage(c, service.LicenceInput{}, nil)
		if err != nil {
			return err
		}
		page.SWVForm, page.SWVErrors = in.Normalised(), errs
		s.render(c, http.StatusUnprocessableEntity, "licences", page)
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/beheer/licenties")
	return nil
}

func (s *Server) licencesPage(c *gin.Context, form service.LicenceInput, errs fault.FieldErrors) (licencesPage, error) {
	q := platform.New(s.tenants.Platform())
	licences, err := q.ListLicences(c)
	if err != nil {
		return licencesPage{}, err
	}
	swvs, err := q.ListSWVs(c)
	if err != nil {
		return licencesPage{}, err
	}
	if form.Kind == "" {
		form.Kind = string(platform.LicenceKindSchool)
	}
	history, err := s.licences.Removals(c)
	if err != nil {
		return licencesPage{}, err
	}
	open := map[uuid.UUID]platform.LicenceRemoval{}
	for _, r := range history {
		if r.RestoredAt == nil && r.PurgedAt == nil {
			open[r.LicenceID] = r
		}
	}
	return licencesPage{Licences: licences, SWVs: swvs, SchoolTypes: platform.AllSchoolTypeValues(),
		Form: form, Errors: errs, Removals: open, History: history}, nil
}

type homePage struct {
	Admin       bool
	Licences    []platform.ListLicencesRow
	Memberships []membershipView
}

type membershipView struct {
	LicenceID       uuid.UUID
	LicenceName     string
	Role            string
	CanListPupils   bool
	CanDossiers     bool
	CanManageTokens bool
	CanManageStaff  bool
	CanSWVSchools   bool
	CanSettings     bool
	CanSWVSettings  bool
	CanSWVPrivacy   bool
	CanLetterhead   bool
	CanRequests     bool
	CanConsult      bool
	CanVote         bool
	// ToDo: an expert's advices and a committee member's votes waiting.
	ToDo service.ToDo
	// CanROD: the school's OPP registration for the ROD; RODPending how
	// many are still to pass on.
	CanROD     bool
	RODPending int64
	// CanLAS: the data from the LAS (import, nightly update).
	CanLAS bool
	// CanWithoutEducation: the SWV's own school licence's list of pupils
	// without education.
	CanWithoutEducation bool
	// CanTransfers: the school's transfers, and those offered to it.
	CanTransfers bool
	// CanSWVTransfers: the SWV's pupils with a TLV or arrangement who
	// move to another school.
	CanSWVTransfers bool
	// CanOSO: read in an OSO dossier from a school outside the platform.
	CanOSO bool
	// CanMonitor: the school's monitor; CanSWVMonitor the SWV's.
	CanMonitor, CanSWVMonitor bool
}

// handleHome shows a person where they work: their licences and roles,
// and for the platform admin every licence.
func (s *Server) handleHome(c *gin.Context) error {
	p := principalOf(c)
	if p.IsGuardian() || p.IsPupil() {
		// A parent's or pupil's first screen is their child's plan.
		c.Redirect(http.StatusSeeOther, "/ouder")
		return nil
	}
	page := homePage{}
	for _, m := range p.Memberships {
		role := auth.Role(m.Role)
		if m.LicenceID == nil {
			page.Admin = page.Admin || auth.ScopeOf(role, auth.PermLicencesManage) == auth.ScopePlatform
			continue
		}
		page.Memberships = append(page.Memberships, membershipView{
			LicenceID: *m.LicenceID, LicenceName: deref(m.LicenceName), Role: role.Label(),
			CanListPupils:   auth.ScopeOf(role, auth.PermPupilsList) != auth.ScopeNone,
			CanDossiers:     auth.ScopeOf(role, auth.PermDossierRead) != auth.ScopeNone,
			CanManageTokens: auth.ScopeOf(role, auth.PermAPITokensManage) != auth.ScopeNone,
			CanManageStaff:  auth.ScopeOf(role, auth.PermStaffManage) != auth.ScopeNone,
			CanSWVSchools:   auth.ScopeOf(role, auth.PermSWVSchools) != auth.ScopeNone,
			CanSettings:     auth.ScopeOf(role, auth.PermSchoolSettings) != auth.ScopeNone,
			CanSWVSettings:  auth.ScopeOf(role, auth.PermSWVSettings) != auth.ScopeNone,
			CanSWVPrivacy:   auth.ScopeOf(role, auth.PermSWVPrivacy) != auth.ScopeNone,
			CanLetterhead:   auth.ScopeOf(role, auth.PermLetterhead) != auth.ScopeNone,
			CanRequests:     auth.ScopeOf(role, auth.PermRequestRead) != auth.ScopeNone,
			CanConsult:      role == auth.RoleConsultant,
			CanVote:         auth.ScopeOf(role, auth.PermRequestVote) != auth.ScopeNone,
			CanLAS:          auth.ScopeOf(role, auth.PermLASImport) != auth.ScopeNone,
			CanTransfers:    auth.ScopeOf(role, auth.PermTransferReceive) != auth.ScopeNone,
		})
		mv := &page.Memberships[len(page.Memberships)-1]
		mv.CanSWVTransfers = m.LicenceKind != nil && *m.LicenceKind == platform.LicenceKindSwv &&
			auth.ScopeOf(role, auth.PermRequestManage) != auth.ScopeNone
		mv.CanMonitor = m.LicenceKind != nil && *m.LicenceKind != platform.LicenceKindSwv && auth.ScopeOf(role, auth.PermDossierManage) == auth.ScopeLicence
		mv.CanSWVMonitor = m.LicenceKind != nil && *m.LicenceKind == platform.LicenceKindSwv && auth.ScopeOf(role, auth.PermSWVMonitor) != auth.ScopeNone
		mv.CanOSO = m.LicenceKind != nil && *m.LicenceKind != platform.LicenceKindSwv && auth.ScopeOf(role, auth.PermPupilEnrol) != auth.ScopeNone
		mv.CanWithoutEducation = m.LicenceKind != nil && *m.LicenceKind == platform.LicenceKindSwvSchool &&
			auth.ScopeOf(role, auth.PermPupilsList) == auth.ScopeLicence
		if m.LicenceKind != nil && *m.LicenceKind != platform.LicenceKindSwv && auth.ScopeOf(role, auth.PermDossierManage) != auth.ScopeNone {
			mv.CanROD = true
			var err error
			if mv.RODPending, err = s.rod.Pending(c, *m.LicenceID); err != nil {
				return err
			}
		}
		if advise := auth.ScopeOf(role, auth.PermRequestAdvise) != auth.ScopeNone; advise || mv.CanVote {
			var err error
			if mv.ToDo, err = s.swv.ToDo(c, actorOf(c), *m.LicenceID, advise, mv.CanVote, s.today()); err != nil {
				return err
			}
		}
	}
	if page.Admin {
		var err error
		if page.Licences, err = platform.New(s.tenants.Platform()).ListLicences(c); err != nil {
			return err
		}
	}
	s.render(c, http.StatusOK, "home", page)
	return nil
}

func (s *Server) handleLicenceIndex(c *gin.Context) error {
	page, err := s.licencesPage(c, service.LicenceInput{}, nil)
	if err != nil {
		return err
	}
	s.render(c, http.StatusOK, "licences", page)
	return nil
}

func (s *Server) handleLicenceCreate(c *gin.Context) error {
	if err := parseForm(c); err != nil {
		return err
	}
	form := service.LicenceInput{
		SWVID: c.PostForm("swv_id"), Kind: c.PostForm("kind"), Name: c.PostForm("name"),
		BRIN: c.PostForm("brin"), SchoolType: c.PostForm("school_type"),
	}
	if _, err := s.licences.Create(c, form); err != nil {
		return s.rerenderLicences(c, form, err)
	}
	c.Redirect(http.StatusSeeOther, "/beheer/licenties")
	return nil
}

// rerenderLicences shows the form again with the fields marked when err
// is a validation error; any other error goes to the error page.
func (s *Server) rerenderLicences(c *gin.Context, form service.LicenceInput, err error) error {
	fields, ok := asFieldErrors(err)
	if !ok {
		return err
	}
	page, perr := s.licencesPage(c, form, fields)
	if perr != nil {
		return perr
	}
	s.render(c, http.StatusUnprocessableEntity, "licences", page)
	return nil
}

func (s *Server) handleLicenceRemove(c *gin.Context) error {
	id, err := uuidParam(c, "licence")
	if err != nil {
		return err
	}
	if err := parseForm(c); err != nil {
		return err
	}
	if _, err := s.licences.Remove(c, actorOf(c), id, c.PostForm("confirm_name")); err != nil {
		return s.rerenderLicences(c, service.LicenceInput{}, err)
	}
	c.Redirect(http.StatusSeeOther, "/beheer/licenties")
	return nil
}

// handleLicenceRestore opens a licence being removed again, within its
// grace period.
func (s *Server) handleLicenceRestore(c *gin.Context) error {
	id, err := uuidParam(c, "licence")
	if err != nil {
		return err
	}
	if err := s.licences.Restore(c, actorOf(c), id); err != nil {
		return s.rerenderLicences(c, service.LicenceInput{}, err)
	}
	c.Redirect(http.StatusSeeOther, "/beheer/licenties")
	return nil
}

type licenceRemovalJSON struct {
	LicenceID   uuid.UUID  `json:"licence_id"`
	Status      string     `json:"status"`
	RequestedAt time.Time  `json:"requested_at"`
	PurgeAfter  time.Time  `json:"purge_after"`
	RestoredAt  *time.Time `json:"restored_at"`
	PurgedAt    *time.Time `json:"purged_at"`
}

func toRemovalJSON(r platform.LicenceRemoval) licenceRemovalJSON {
	status := "closing"
	switch {
	case r.RestoredAt != nil:
		status = "restored"
	case r.PurgedAt != nil:
		status = "purged"
	}
	return licenceRemovalJSON{LicenceID: r.LicenceID, Status: status, RequestedAt: r.RequestedAt, PurgeAfter: r.PurgeAfter,
		RestoredAt: r.RestoredAt, PurgedAt: r.PurgedAt}
}

type licenceJSON struct {
	ID         uuid.UUID `json:"id"`
	Kind       string    `json:"kind"`
	Name       string    `json:"name"`
	SWVID      uuid.UUID `json:"swv_id"`
	BRIN       *string   `json:"brin"`
	SchoolType *string   `json:"school_type"`
	Status     string    `json:"status"`
}

func toLicenceJSON(l platform.Licence) licenceJSON {
	out := licenceJSON{ID: l.ID, Kind: string(l.Kind), Name: l.Name, SWVID: l.SwvID, BRIN: l.Brin, Status: string(l.Status)}
	if l.SchoolType != nil {
		st := string(*l.SchoolType)
		out.SchoolType = &st
	}
	return out
}

func (s *Server) handleAPILicenceList(c *gin.Context) error {
	rows, err := platform.New(s.tenants.Platform()).ListLicences(c)
	if err != nil {
		return err
	}
	out := make([]licenceJSON, 0, len(rows))
	for _, r := range rows {
		out = append(out, toLicenceJSON(platform.Licence{ID: r.ID, Kind: r.Kind, Name: r.Name, SwvID: r.SwvID,
			Brin: r.Brin, SchoolType: r.SchoolType, Status: r.Status}))
	}
	return writeJSON(c, http.StatusOK, gin.H{"licences": out})
}

func (s *Server) handleAPILicenceCreate(c *gin.Context) error {
	var in service.LicenceInput
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	lic, err := s.licences.Create(c, in)
	if err != nil {
		return err
	}
	c.Header("Location", "/api/v1/licences/"+lic.ID.String())
	return writeJSON(c, http.StatusCreated, toLicenceJSON(lic))
}

func (s *Server) handleAPILicenceRemove(c *gin.Context) error {
	id, err := uuidParam(c, "licence")
	if err != nil {
		return err
	}
	var in struct {
		ConfirmName string `json:"confirm_name"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	r, err := s.licences.Remove(c, actorOf(c), id, in.ConfirmName)
	if err != nil {
		return err
	}
	// Accepted: the licence is closed now and purged after the grace
	// period, unless restored.
	return writeJSON(c, http.StatusAccepted, toRemovalJSON(r))
}

func (s *Server) handleAPILicenceRestore(c *gin.Context) error {
	id, err := uuidParam(c, "licence")
	if err != nil {
		return err
	}
	if err := s.licences.Restore(c, actorOf(c), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

// uuidParam reads an id from the path; a malformed one is simply not found.
func uuidParam(c *gin.Context, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param(name))
	if err != nil {
		return uuid.Nil, fault.ErrNotFound
	}
	return id, nil
}

func asFieldErrors(err error) (fault.FieldErrors, bool) {
	var fields fault.FieldErrors
	if errors.As(err, &fields) {
		return fields, true
	}
	return nil, false
}
