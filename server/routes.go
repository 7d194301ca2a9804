package server

import (
	"github.com/gin-gonic/gin"
)

// routes is the one place every route is declared.
func (s *Server) routes() *gin.Engine {
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	r.Use(s.requestID, s.recovery, s.accessLog, s.limitBody)

	r.GET("/healthz", s.handleHealthz)
	r.GET("/readyz", s.handleReadyz)
	r.GET("/metrics", s.handleMetrics)
	r.GET("/static/*file", s.handleStatic)

	r.GET("/", s.page(s.handleHome))
	r.GET("/beheer/licenties", s.page(s.handleLicenceIndex))
	r.POST("/beheer/licenties", s.page(s.handleLicenceCreate))
	r.POST("/beheer/licenties/:licence/verwijderen", s.page(s.handleLicenceRemove))
	r.GET("/licenties/:licence/leerlingen", s.page(s.handlePupilIndex))
	r.GET("/licenties/:licence/leerlingen/nieuw", s.page(s.handlePupilNew))
	r.POST("/licenties/:licence/leerlingen", s.page(s.handlePupilCreate))
	r.GET("/licenties/:licence/leerlingen/:pupil", s.page(s.handlePupilShow))
	r.POST("/licenties/:licence/leerlingen/:pupil/inschrijving-gecontroleerd", s.page(s.handlePupilConfirmEnrolment))
	r.POST("/licenties/:licence/leerlingen/:pupil/proces-starten", s.page(s.handlePupilStartProcess))

	api := r.Group("/api/v1")
	api.GET("/openapi.json", s.handleOpenAPI)
	api.GET("/licences", s.api(s.handleAPILicenceList))
	api.POST("/licences", s.api(s.handleAPILicenceCreate))
	api.DELETE("/licences/:licence", s.api(s.handleAPILicenceRemove))
	api.GET("/licences/:licence/pupils", s.api(s.handleAPIPupilList))
	api.POST("/licences/:licence/pupils", s.api(s.handleAPIPupilCreate))
	api.GET("/licences/:licence/pupils/:pupil", s.api(s.handleAPIPupilShow))
	api.POST("/licences/:licence/pupils/:pupil/enrolment-confirmation", s.api(s.handleAPIPupilConfirmEnrolment))

	r.NoRoute(s.handleNoRoute)
	r.NoMethod(s.handleNoMethod)
	return r
}
