package activities_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/topdossier/topdossier/activities"
	"github.com/topdossier/topdossier/db/dbtest"
	"github.com/topdossier/topdossier/db/logbook"
	"github.com/topdossier/topdossier/db/platform"
	"github.com/topdossier/topdossier/db/school"
	"github.com/topdossier/topdossier/db/tenants"
	"github.com/topdossier/topdossier/law"
	"github.com/topdossier/topdossier/plan"
	"github.com/topdossier/topdossier/workflows"
)

// TestConsentRoundActivities runs the round's activities on a real school
// database: open (and supersede), invite (mails once), answer (once),
// re-route on the 18th birthday, close with the outcome on the version.
func TestConsentRoundActivities(t *testing.T) {
	ctx := context.Background()
	p := dbtest.NewPlatform(t, tenants.Config{})
	lic := p.School(t, "Basisschool De Wilg", "77WI")
	acts := &activities.Activities{Tenants: p.Tenants}
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	var pupil school.Pupil
	var dossier school.Dossier
	var guardian school.Guardian
	err := p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		var err error
		if pupil, err = q.CreatePupil(ctx, school.CreatePupilParams{GivenName: "Fleur", FamilyName: "Smit",
			BirthDate: time.Date(2008, 12, 1, 0, 0, 0, 0, time.UTC), EnrolledOn: time.Date(2020, 8, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
			return err
		}
		if guardian, err = q.CreateGuardian(ctx, school.CreateGuardianParams{PupilID: pupil.ID, GivenName: "Ans", FamilyName: "Smit",
			Email: "ans@voorbeeld.invalid", Relation: school.GuardianRelationMother, ParentalAuthority: true}); err != nil {
			return err
		}
		if dossier, err = q.CreateDossier(ctx, school.CreateDossierParams{PupilID: pupil.ID, SupportLevel: school.SupportLevelExtraSchool,
			StartedOn: now}); err != nil {
			return err
		}
		if err := q.CreateSection(ctx, school.CreateSectionParams{DossierID: dossier.ID, Cycle: 1, Section: plan.SectionActionPart,
			Content: []byte(`{"goals":[]}`)}); err != nil {
			return err
		}
		for range 2 { // versions 1 and 2
			if _, err := q.FreezeActionPart(ctx, school.FreezeActionPartParams{DossierID: dossier.ID, Cycle: 1}); err != nil {
				return err
			}
			if _, err := q.SaveSection(ctx, school.SaveSectionParams{DossierID: dossier.ID, Cycle: 1, Section: plan.SectionActionPart,
				Content: []byte(`{"goals":[],"deviations":"x"}`), Version: mustVersion(ctx, q, dossier.ID)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	open := func(version int32) workflows.ConsentRoundInfo {
		t.Helper()
		info, err := acts.OpenConsentRound(ctx, workflows.OpenConsentRoundInput{LicenceID: lic.ID.String(), DossierID: dossier.ID.String(),
			PupilID: pupil.ID.String(), Version: version, At: now, DeadlineAt: now.Add(14 * 24 * time.Hour), Ages: law.Ages()})
		if err != nil {
			t.Fatal(err)
		}
		return info
	}
	v1 := open(1)
	v2 := open(2)
	again := open(2)
	if again.RoundID != v2.RoundID || !slices.Equal(v2.Superseded, []int32{1}) || v1.RoundID == v2.RoundID {
		t.Errorf("rounds %s %s %s, superseded %v; want version 2 once, superseding version 1", v1.RoundID, v2.RoundID, again.RoundID, v2.Superseded)
	}
	// 17 now: the mother decides, the pupil shares; 18 on 1 December.
	g := plan.GuardianPartyKey(guardian.ID)
	if len(v2.Parties) != 2 || v2.Parties[0].Key != g || v2.DecidesAt == nil || !v2.DecidesAt.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("parties %+v, decides at %v", v2.Parties, v2.DecidesAt)
	}
	for range 2 {
		n, err := acts.InviteConsentParties(ctx, workflows.InviteConsentInput{LicenceID: lic.ID.String(), RoundID: v2.RoundID,
			PupilID: pupil.ID.String(), Keys: []string{g, plan.PupilPartyKey}, Kind: "invitation"})
		if err != nil || n != 1 {
			t.Fatalf("invite: %d mails, %v; want one (the pupil has no address)", n, err)
		}
	}
	answer := workflows.RecordConsentAnswerInput{LicenceID: lic.ID.String(), RoundID: v2.RoundID, PupilID: pupil.ID.String(), At: now,
		Answer: plan.ConsentAnswer{RequestID: "a1", PartyKey: g, Answer: plan.AnswerAgree, Channel: "portal"}}
	for range 2 {
		if err := acts.RecordConsentAnswer(ctx, answer); err != nil {
			t.Fatal(err)
		}
	}
	r, err := acts.RerouteConsentRound(ctx, workflows.RerouteConsentInput{LicenceID: lic.ID.String(), RoundID: v2.RoundID,
		PupilID: pupil.ID.String(), At: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Ages: law.Ages()})
	if err != nil || len(r.Parties) != 1 || !r.Parties[0].Decides || !slices.Equal(r.Invite, []string{plan.PupilPartyKey}) {
		t.Errorf("reroute at 18: %+v (err %v), want the pupil deciding and invited", r, err)
	}
	// Past the deadline the school is reminded by mail: the IB'er on the
	// dossier, not every IB'er of the school; once per week number.
	pq := platform.New(p.Pool)
	staff := map[string]uuid.UUID{}
	for _, email := range []string{"ib@wilg.invalid", "ib2@wilg.invalid"} {
		u, err := pq.CreateUser(ctx, platform.CreateUserParams{Kind: platform.UserKindStaff, Email: email, DisplayName: email})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pq.CreateMembership(ctx, platform.CreateMembershipParams{UserID: u.ID, LicenceID: &lic.ID, Role: platform.StaffRoleIb}); err != nil {
			t.Fatal(err)
		}
		staff[email] = u.ID
	}
	escalate := func(week int) int {
		t.Helper()
		n, err := acts.EscalateConsentRound(ctx, workflows.EscalateConsentInput{LicenceID: lic.ID.String(), RoundID: v2.RoundID,
			PupilID: pupil.ID.String(), At: now, Week: week})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := escalate(0); n != 2 {
		t.Errorf("escalation without staff on the dossier mailed %d, want both IB'ers", n)
	}
	err = p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		ib := staff["ib@wilg.invalid"]
		_, err := school.New(pool).AddParticipant(ctx, school.AddParticipantParams{DossierID: dossier.ID, Kind: "staff", Name: "IB",
			UserID: &ib})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := escalate(1) + escalate(1); n != 2 {
		t.Errorf("weekly reminder mailed %d, want the IB'er on the dossier (once per call)", n)
	}
	escalationMails := func() (to []string) {
		t.Helper()
		err := p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
			mails, err := school.New(pool).ListOutbox(ctx, 20)
			for _, m := range mails {
				if strings.Contains(m.Subject, "nstemming") && strings.HasSuffix(m.ToAddress, "@wilg.invalid") {
					if strings.Contains(m.Body, "Fleur") {
						t.Errorf("escalation mail names the pupil")
					}
					to = append(to, m.ToAddress)
				}
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(to)
		return to
	}
	if got := escalationMails(); !slices.Equal(got, []string{"ib2@wilg.invalid", "ib@wilg.invalid", "ib@wilg.invalid"}) {
		t.Errorf("escalation mails to %v, want both IB'ers at the deadline and the dossier's IB'er once in week 1", got)
	}

	// The plan went into realisation after geen instemming on an earlier
	// version: this consent establishes the OPP now.
	err = p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		_, err := pool.Exec(ctx, `INSERT INTO dossier_transition (request_id, dossier_id, cycle, from_phase, to_phase)
			VALUES ('t-realise', $1, 1, 'plan', 'realise')`, dossier.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	closeIn := workflows.CloseConsentRoundInput{LicenceID: lic.ID.String(), RoundID: v2.RoundID, DossierID: dossier.ID.String(),
		PupilID: pupil.ID.String(), Version: 2, Outcome: plan.RoundConsented, At: now}
	for range 2 {
		if err := acts.CloseConsentRound(ctx, closeIn); err != nil {
			t.Fatal(err)
		}
	}
	err = p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		d, err := school.New(pool).GetDossier(ctx, dossier.ID)
		if err != nil {
			return err
		}
		if y, m, dd := now.In(law.Netherlands()).Date(); d.OppEstablishedOn == nil || !d.OppEstablishedOn.Equal(time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("OPP established on %v after consent in realisation, want the day of the consent", d.OppEstablishedOn)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	err = p.Tenants.With(ctx, lic.ID, func(pool *pgxpool.Pool) error {
		q := school.New(pool)
		mails, err := q.ListOutbox(ctx, 10)
		if err != nil {
			return err
		}
		var toMother int
		for _, m := range mails {
			if m.ToAddress == "ans@voorbeeld.invalid" && m.Subject != "" {
				toMother++
			}
		}
		if toMother != 1 {
			t.Errorf("outbox %+v, want one mail to the mother", mails)
		}
		responses, err := q.ListConsentResponses(ctx, uuid.MustParse(v2.RoundID))
		if err != nil {
			return err
		}
		if len(responses) != 1 {
			t.Errorf("%d responses stored, want 1", len(responses))
		}
		parties, err := q.ListConsentParties(ctx, uuid.MustParse(v2.RoundID))
		if err != nil {
			return err
		}
		for _, party := range parties {
			if party.PartyKey == g && party.RemovedAt == nil {
				t.Errorf("the mother still decides after the 18th birthday")
			}
		}
		v, err := q.GetActionPartVersion(ctx, school.GetActionPartVersionParams{DossierID: dossier.ID, Number: 2})
		if err != nil {
			return err
		}
		if v.ConsentStatus != plan.ConsentGiven {
			t.Errorf("version 2 consent %q, want given", v.ConsentStatus)
		}
		round1, err := q.GetActionPartVersion(ctx, school.GetActionPartVersionParams{DossierID: dossier.ID, Number: 1})
		if err != nil {
			return err
		}
		if round1.ConsentStatus != plan.ConsentPending {
			t.Errorf("version 1 consent %q, want still pending (superseded, not decided)", round1.ConsentStatus)
		}
		n, err := logbook.Verify(ctx, q, nil)
		if err != nil || n < 5 {
			t.Errorf("logbook %d rows (err %v), want every step logged and the chain intact", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func mustVersion(ctx context.Context, q *school.Queries, dossierID uuid.UUID) int32 {
	s, err := q.GetSection(ctx, school.GetSectionParams{DossierID: dossierID, Cycle: 1, Section: plan.SectionActionPart})
	if err != nil {
		return 0
	}
	return s.Version
}
