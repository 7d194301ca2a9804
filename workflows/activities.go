package workflows

import (
	"context"
	"time"
)

// Activities declares every activity the workflows call, as the workflows
// see it. Its methods never run: a workflow names an activity by a method
// value of a nil *Activities (var acts *Activities; acts.SendOutbox), so
// the call is typed and carries the method's name, the name under which
// the worker registers the implementation of *activities.Activities. This
// keeps the workflows free of the database layer the implementation needs.
// TestActivitiesDeclared (package worker) fails when a declaration and its
// implementation differ in name or signature.
type Activities struct{}

// errNotRun is what a declaration panics with if it is ever called: the
// worker always runs the registered implementation.
const errNotRun = "workflows.Activities declares activities; the worker runs activities.Activities"

// AdvanceDossierPhase is implemented by activities.Activities.AdvanceDossierPhase.
func (*Activities) AdvanceDossierPhase(context.Context, AdvanceDossierInput) error { panic(errNotRun) }

// AnchorLogbooks is implemented by activities.Activities.AnchorLogbooks.
func (*Activities) AnchorLogbooks(context.Context) (int, error) { panic(errNotRun) }

// CloseConsentRound is implemented by activities.Activities.CloseConsentRound.
func (*Activities) CloseConsentRound(context.Context, CloseConsentRoundInput) error { panic(errNotRun) }

// CloseDossier is implemented by activities.Activities.CloseDossier.
func (*Activities) CloseDossier(context.Context, CloseDossierInput) error { panic(errNotRun) }

// ConfirmEnrolment is implemented by activities.Activities.ConfirmEnrolment.
func (*Activities) ConfirmEnrolment(context.Context, ConfirmEnrolmentInput) error { panic(errNotRun) }

// DeliverPending is implemented by activities.Activities.DeliverPending.
func (*Activities) DeliverPending(context.Context, DeliverInput) (DeliverResult, error) {
	panic(errNotRun)
}

// DecisionMadeKnown is implemented by activities.Activities.DecisionMadeKnown.
func (*Activities) DecisionMadeKnown(context.Context, MadeKnownInput) (ObjectionTerm, error) {
	panic(errNotRun)
}

// EscalateConsentRound is implemented by activities.Activities.EscalateConsentRound.
func (*Activities) EscalateConsentRound(context.Context, EscalateConsentInput) (int, error) {
	panic(errNotRun)
}

// ExpireRetention is implemented by activities.Activities.ExpireRetention.
func (*Activities) ExpireRetention(context.Context, RetentionRef) error { panic(errNotRun) }

// FindRetentionOverdue is implemented by activities.Activities.FindRetentionOverdue.
func (*Activities) FindRetentionOverdue(context.Context, ReconcileInput) ([]RetentionOverdue, error) {
	panic(errNotRun)
}

// Housekeep is implemented by activities.Activities.Housekeep.
func (*Activities) Housekeep(context.Context, HousekeepingInput) (HousekeepingResult, error) {
	panic(errNotRun)
}

// InviteConsentParties is implemented by activities.Activities.InviteConsentParties.
func (*Activities) InviteConsentParties(context.Context, InviteConsentInput) (int, error) {
	panic(errNotRun)
}

// IssueDecision is implemented by activities.Activities.IssueDecision.
func (*Activities) IssueDecision(context.Context, IssueDecisionInput) (string, error) {
	panic(errNotRun)
}

// PlannedLeaving is implemented by activities.Activities.PlannedLeaving.
func (*Activities) PlannedLeaving(context.Context, PupilRef) (*time.Time, error) { panic(errNotRun) }

// LeavePlanned is implemented by activities.Activities.LeavePlanned.
func (*Activities) LeavePlanned(context.Context, LeavingInput) error { panic(errNotRun) }

// SWVAVGAnswered is implemented by activities.Activities.SWVAVGAnswered.
func (*Activities) SWVAVGAnswered(context.Context, SWVAVGRef) (bool, error) { panic(errNotRun) }

// CarryOutSWVAVG is implemented by activities.Activities.CarryOutSWVAVG.
func (*Activities) CarryOutSWVAVG(context.Context, SWVAVGRef) (string, error) { panic(errNotRun) }

// NotifyDecision is implemented by activities.Activities.NotifyDecision.
func (*Activities) NotifyDecision(context.Context, NotifyDecisionInput) (string, error) {
	panic(errNotRun)
}

// OpenConsentRound is implemented by activities.Activities.OpenConsentRound.
func (*Activities) OpenConsentRound(context.Context, OpenConsentRoundInput) (ConsentRoundInfo, error) {
	panic(errNotRun)
}

// OpenPupilPortal is implemented by activities.Activities.OpenPupilPortal.
func (*Activities) OpenPupilPortal(context.Context, OpenPupilPortalInput) (bool, error) {
	panic(errNotRun)
}

// PupilShareAt is implemented by activities.Activities.PupilShareAt.
func (*Activities) PupilShareAt(context.Context, PupilShareAgeInput) (*time.Time, error) {
	panic(errNotRun)
}

// RecordConsentAnswer is implemented by activities.Activities.RecordConsentAnswer.
func (*Activities) RecordConsentAnswer(context.Context, RecordConsentAnswerInput) error {
	panic(errNotRun)
}

// PupilOfAge is implemented by activities.Activities.PupilOfAge.
func (*Activities) PupilOfAge(context.Context, PupilOfAgeInput) (bool, error) { panic(errNotRun) }

// RecordProcessStep is implemented by activities.Activities.RecordProcessStep.
func (*Activities) RecordProcessStep(context.Context, ProcessStep) error { panic(errNotRun) }

// RecordRequest is implemented by activities.Activities.RecordRequest.
func (*Activities) RecordRequest(context.Context, RequestRecord) error { panic(errNotRun) }

// RecordRequestStep is implemented by activities.Activities.RecordRequestStep.
func (*Activities) RecordRequestStep(context.Context, RequestStep) error { panic(errNotRun) }

// RecordRetention is implemented by activities.Activities.RecordRetention.
func (*Activities) RecordRetention(context.Context, RetentionEvent) error { panic(errNotRun) }

// RerouteConsentRound is implemented by activities.Activities.RerouteConsentRound.
func (*Activities) RerouteConsentRound(context.Context, RerouteConsentInput) (ConsentReroute, error) {
	panic(errNotRun)
}

// RetentionDue is implemented by activities.Activities.RetentionDue.
func (*Activities) RetentionDue(context.Context, RetentionRef) (time.Time, error) { panic(errNotRun) }

// SendOutbox is implemented by activities.Activities.SendOutbox.
func (*Activities) SendOutbox(context.Context, SendOutboxInput) (int, error) { panic(errNotRun) }

// StartDossierCycle is implemented by activities.Activities.StartDossierCycle.
func (*Activities) StartDossierCycle(context.Context, StartDossierCycleInput) error { panic(errNotRun) }

// CopyRequestToSWV is implemented by activities.Activities.CopyRequestToSWV.
func (*Activities) CopyRequestToSWV(context.Context, CopyRequestInput) (CopiedRequest, error) {
	panic(errNotRun)
}

// ResubmitRequest is implemented by activities.Activities.ResubmitRequest.
func (*Activities) ResubmitRequest(context.Context, ResubmitRequestInput) error { panic(errNotRun) }

// MarkRequestSubmitted is implemented by activities.Activities.MarkRequestSubmitted.
func (*Activities) MarkRequestSubmitted(context.Context, MarkRequestSubmittedInput) error {
	panic(errNotRun)
}

// DeliverWebhook posts one delivery, signed; an answer other than 2xx is
// an error Temporal retries.
func (*Activities) DeliverWebhook(context.Context, string) error { panic(errNotRun) }

// FailWebhookDelivery marks a delivery failed after its last attempt.
func (*Activities) FailWebhookDelivery(context.Context, string) error { panic(errNotRun) }

// RunLASImport is implemented by activities.Activities.RunLASImport.
func (*Activities) RunLASImport(context.Context, string) (LASImportResult, error) { panic(errNotRun) }

// FailLASImport is implemented by activities.Activities.FailLASImport.
func (*Activities) FailLASImport(context.Context, string, string) error { panic(errNotRun) }

// TransferConsentState is implemented by activities.Activities.TransferConsentState.
func (*Activities) TransferConsentState(context.Context, TransferInput) (TransferConsent, error) {
	panic(errNotRun)
}

// OfferTransfer is implemented by activities.Activities.OfferTransfer.
func (*Activities) OfferTransfer(context.Context, TransferStepInput) error { panic(errNotRun) }

// CloseTransfer is implemented by activities.Activities.CloseTransfer.
func (*Activities) CloseTransfer(context.Context, TransferStepInput) error { panic(errNotRun) }

// AcceptTransfer is implemented by activities.Activities.AcceptTransfer.
func (*Activities) AcceptTransfer(context.Context, TransferStepInput) (TransferAccepted, error) {
	panic(errNotRun)
}

// CompleteTransfer is implemented by activities.Activities.CompleteTransfer.
func (*Activities) CompleteTransfer(context.Context, TransferStepInput) error { panic(errNotRun) }

// MonitorLicences is implemented by activities.Activities.MonitorLicences.
func (*Activities) MonitorLicences(context.Context) ([]MonitorLicence, error) { panic(errNotRun) }

// PublishSchoolFigures is implemented by activities.Activities.PublishSchoolFigures.
func (*Activities) PublishSchoolFigures(context.Context, MonitorLicence) error { panic(errNotRun) }

// RefreshSWVMonitor is implemented by activities.Activities.RefreshSWVMonitor.
func (*Activities) RefreshSWVMonitor(context.Context, MonitorLicence) error { panic(errNotRun) }
