package server

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/topdossier/topdossier/auth"
)

// routes is the one place every route is declared, each with the one
// permission it needs; allow checks it against the person's roles on the
// licence in the path and their relation to the pupil in the path.
func (s *Server) routes() *gin.Engine {
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	// Attachments are read in memory, never spooled to temporary files.
	r.MaxMultipartMemory = maxAttachmentBytes + 1<<20
	r.Use(s.requestID, s.recovery, s.securityHeaders, s.accessLog, s.limitBody, s.session)

	r.GET("/healthz", s.handleHealthz)
	r.GET("/readyz", s.handleReadyz)
	r.GET("/metrics", s.handleMetrics)
	r.GET("/static/*file", s.handleStatic)
	r.GET("/inloggen", s.page(s.handleLoginShow))
	r.POST("/inloggen", s.page(s.handleLogin))
	r.GET("/inloggen/entree", s.page(s.handleOIDCStart))
	r.GET("/inloggen/entree/terug", s.page(s.handleOIDCCallback))
	r.POST("/inloggen/passkey/begin", s.page(s.handlePasskeyLoginBegin))
	r.POST("/inloggen/passkey/finish", s.page(s.handlePasskeyLoginFinish))
	r.GET("/inloggen/code", s.page(s.handleCodeShow))
	r.POST("/inloggen/code", s.page(s.handleCode))
	r.GET("/inloggen/opnieuw", s.page(s.handleReauthShow))
	r.POST("/inloggen/opnieuw", s.page(s.handleReauth))
	r.POST("/uitloggen", s.page(s.handleLogout))
	r.GET("/activeren/:token", s.page(s.handleActivateShow))
	r.POST("/activeren/:token", s.page(s.handleActivate))

	r.GET("/", s.signedIn, s.page(s.handleHome))
	r.GET("/account", s.signedIn, s.page(s.handleAccount))
	r.POST("/account/passkeys/begin", s.signedIn, s.recentAuth(15*time.Minute), s.page(s.handlePasskeyRegisterBegin))
	r.POST("/account/passkeys/finish", s.signedIn, s.recentAuth(15*time.Minute), s.page(s.handlePasskeyRegisterFinish))
	r.POST("/account/passkeys/:credential/verwijderen", s.signedIn, s.recentAuth(15*time.Minute), s.page(s.handlePasskeyDelete))
	r.GET("/beheer/licenties", s.allow(auth.PermLicencesManage), s.page(s.handleLicenceIndex))
	r.POST("/beheer/licenties", s.allow(auth.PermLicencesManage), s.page(s.handleLicenceCreate))
	r.POST("/beheer/licenties/:licence/verwijderen", s.allow(auth.PermLicencesManage), s.page(s.handleLicenceRemove))
	r.POST("/beheer/samenwerkingsverbanden", s.allow(auth.PermLicencesManage), s.page(s.handleSWVCreate))
	r.GET("/licenties/:licence/leerlingen", s.allow(auth.PermPupilsList), s.page(s.handlePupilIndex))
	r.GET("/licenties/:licence/leerlingen/nieuw", s.allow(auth.PermPupilEnrol), s.page(s.handlePupilNew))
	r.POST("/licenties/:licence/leerlingen", s.allow(auth.PermPupilEnrol), s.page(s.handlePupilCreate))
	r.GET("/licenties/:licence/leerlingen/:pupil", s.allow(auth.PermPupilRead), s.page(s.handlePupilShow))
	r.GET("/licenties/:licence/leerlingen/:pupil/logboek", s.allow(auth.PermLogbookRead), s.page(s.handlePupilLogbook))
	r.GET("/licenties/:licence/leerlingen/:pupil/logboek.pdf", s.allow(auth.PermLogbookRead), s.page(s.handlePupilLogbookPDF))
	r.POST("/licenties/:licence/leerlingen/:pupil/inschrijving-gecontroleerd", s.allow(auth.PermEnrolmentConfirm), s.page(s.handlePupilConfirmEnrolment))
	r.POST("/licenties/:licence/leerlingen/:pupil/proces-starten", s.allow(auth.PermPupilEnrol), s.page(s.handlePupilStartProcess))
	r.GET("/ouder", s.signedIn, s.page(s.handlePortalHome))
	r.GET("/ouder/:licence/:pupil", s.linkedPortal, s.page(s.handlePortalPupil))
	r.POST("/ouder/:licence/:pupil/instemming", s.linkedPortal, s.recentAuth(15*time.Minute), s.page(s.handlePortalConsent))
	r.POST("/licenties/:licence/leerlingen/:pupil/ouders/:guardian/uitnodigen", s.allow(auth.PermDossierManage), s.page(s.handleGuardianInvite))
	r.POST("/licenties/:licence/leerlingen/:pupil/leerlingportaal", s.allow(auth.PermDossierManage), s.page(s.handlePupilInvite))
	r.GET("/licenties/:licence/instellingen", s.allow(auth.PermSchoolSettings), s.page(s.handleSchoolSettings))
	r.POST("/licenties/:licence/instellingen", s.allow(auth.PermSchoolSettings), s.page(s.handleSchoolSettingsSave))
	r.GET("/licenties/:licence/dossiers", s.allow(auth.PermDossierRead), s.page(s.handleDossierIndex))
	r.GET("/licenties/:licence/leerlingen/:pupil/dossier", s.allow(auth.PermDossierRead), s.page(s.handleDossierShow))
	r.POST("/licenties/:licence/leerlingen/:pupil/dossier", s.allow(auth.PermDossierManage), s.page(s.handleDossierCreate))
	r.GET("/licenties/:licence/leerlingen/:pupil/dossier/opp.pdf", s.allow(auth.PermDossierRead), s.page(s.handleDossierPDF))
	r.GET("/licenties/:licence/leerlingen/:pupil/dossier/instemmingsverklaring.pdf", s.allow(auth.PermDossierRead), s.page(s.handleDossierConsentPDF))
	r.POST("/licenties/:licence/leerlingen/:pupil/dossier/gegevens", s.allow(auth.PermDossierWrite), s.page(s.handleDossierHeaderSave))
	r.POST("/licenties/:licence/leerlingen/:pupil/dossier/deel/:section", s.allow(auth.PermDossierWrite), s.page(s.handleDossierSectionSave))
	r.POST("/licenties/:licence/leerlingen/:pupil/dossier/groeidocument", s.allow(auth.PermDossierWrite), s.page(s.handleDossierGrowthAdd))
	r.POST("/licenties/:licence/leerlingen/:pupil/dossier/toetsen", s.allow(auth.PermDossierWrite), s.page(s.handleDossierTestAdd))
	r.POST("/licenties/:licence/leerlingen/:pupil/dossier/betrokkenen", s.allow(auth.PermDossierWrite), s.page(s.handleDossierParticipantAdd))
	r.POST("/licenties/:licence/leerlingen/:pupil/dossier/betrokkenen/collega", s.allow(auth.PermDossierWrite), s.page(s.handleDossierColleagueAdd))
	r.POST("/licenties/:licence/leerlingen/:pupil/dossier/betrokkenen/:participant/verwijderen", s.allow(auth.PermDossierWrite), s.page(s.handleDossierParticipantRemove))
	r.POST("/licenties/:licence/leerlingen/:pupil/dossier/bijlagen", s.allow(auth.PermDossierWrite), s.page(s.handleDossierAttachmentUpload))
	r.GET("/licenties/:licence/leerlingen/:pupil/dossier/bijlagen/:attachment", s.allow(auth.PermDossierRead), s.page(s.handleDossierAttachmentDownload))
	r.POST("/licenties/:licence/leerlingen/:pupil/dossier/fase", s.allow(auth.PermDossierManage), s.page(s.handleDossierAdvance))
	r.POST("/licenties/:licence/leerlingen/:pupil/dossier/proces-starten", s.allow(auth.PermDossierManage), s.page(s.handleDossierStartProcess))
	r.POST("/licenties/:licence/leerlingen/:pupil/dossier/handelingsdeel/aanbieden", s.allow(auth.PermDossierManage), s.page(s.handleDossierActionPartOffer))
	r.POST("/licenties/:licence/leerlingen/:pupil/dossier/handelingsdeel/:version/instemming", s.allow(auth.PermDossierManage), s.page(s.handleDossierConsentRecord))
	r.POST("/licenties/:licence/leerlingen/:pupil/dossier/handelingsdeel/:version/instemming-vragen", s.allow(auth.PermDossierManage), s.page(s.handleDossierConsentStart))
	if s.cfg.DevMailbox {
		r.GET("/licenties/:licence/postvak", s.allow(auth.PermDossierManage), s.page(s.handleDevMailbox))
	}
	r.GET("/licenties/:licence/medewerkers", s.allow(auth.PermStaffManage), s.page(s.handleStaffIndex))
	r.POST("/licenties/:licence/medewerkers", s.allow(auth.PermStaffManage), s.page(s.handleStaffAdd))
	r.POST("/licenties/:licence/medewerkers/:membership/verwijderen", s.allow(auth.PermStaffManage), s.page(s.handleStaffRemove))
	r.POST("/licenties/:licence/medewerkers/:membership/herstellen", s.allow(auth.PermStaffManage), s.page(s.handleStaffReset))
	r.GET("/licenties/:licence/instemmingsregels", s.allow(auth.PermSWVSettings), s.page(s.handleConsentRules))
	r.POST("/licenties/:licence/instemmingsregels", s.allow(auth.PermSWVSettings), s.page(s.handleConsentRulesSave))
	r.GET("/licenties/:licence/scholen", s.allow(auth.PermSWVSchools), s.page(s.handleSWVSchools))
	r.POST("/licenties/:licence/scholen/:school/consulent", s.allow(auth.PermSWVSchools), s.page(s.handleSWVAssignConsultant))
	r.GET("/licenties/:licence/api-sleutels", s.allow(auth.PermAPITokensManage), s.page(s.handleAPITokenIndex))
	r.POST("/licenties/:licence/api-sleutels", s.allow(auth.PermAPITokensManage), s.page(s.handleAPITokenCreate))
	r.POST("/licenties/:licence/api-sleutels/:token/intrekken", s.allow(auth.PermAPITokensManage), s.page(s.handleAPITokenRevoke))

	api := r.Group("/api/v1")
	api.GET("/openapi.json", s.handleOpenAPI)
	api.GET("/licences", s.allow(auth.PermLicencesManage), s.api(s.handleAPILicenceList))
	api.POST("/licences", s.allow(auth.PermLicencesManage), s.api(s.handleAPILicenceCreate))
	api.DELETE("/licences/:licence", s.allow(auth.PermLicencesManage), s.api(s.handleAPILicenceRemove))
	api.GET("/licences/:licence/pupils", s.allow(auth.PermPupilsList), s.api(s.handleAPIPupilList))
	api.POST("/licences/:licence/pupils", s.allow(auth.PermPupilEnrol), s.api(s.handleAPIPupilCreate))
	api.GET("/licences/:licence/pupils/:pupil", s.allow(auth.PermPupilRead), s.api(s.handleAPIPupilShow))
	api.GET("/licences/:licence/dossiers", s.allow(auth.PermDossierRead), s.api(s.handleAPIDossierList))
	api.POST("/licences/:licence/pupils/:pupil/dossier", s.allow(auth.PermDossierManage), s.api(s.handleAPIDossierCreate))
	api.GET("/licences/:licence/pupils/:pupil/dossier", s.allow(auth.PermDossierRead), s.api(s.handleAPIDossierShow))
	api.GET("/licences/:licence/pupils/:pupil/dossier/process", s.allow(auth.PermDossierRead), s.api(s.handleAPIDossierProcess))
	api.PUT("/licences/:licence/pupils/:pupil/dossier/sections/:section", s.allow(auth.PermDossierWrite), s.api(s.handleAPIDossierSectionSave))
	api.POST("/licences/:licence/pupils/:pupil/dossier/growth-entries", s.allow(auth.PermDossierWrite), s.api(s.handleAPIDossierGrowthAdd))
	api.POST("/licences/:licence/pupils/:pupil/dossier/advance", s.allow(auth.PermDossierManage), s.api(s.handleAPIDossierAdvance))
	api.POST("/licences/:licence/pupils/:pupil/enrolment-confirmation", s.allow(auth.PermEnrolmentConfirm), s.api(s.handleAPIPupilConfirmEnrolment))

	r.NoRoute(s.handleNoRoute)
	r.NoMethod(s.handleNoMethod)
	return r
}
