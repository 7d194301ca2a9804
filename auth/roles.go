package auth

// Role is a staff role on a licence (or, for the platform admin, on the
// platform). Guardians and pupils have no role: they are linked to a pupil.
type Role string

// The staff roles.
const (
	RolePlatformAdmin   Role = "platform_admin"
	RoleSWVAdmin        Role = "swv_admin"
	RoleConsultant      Role = "consultant"
	RoleCommitteeMember Role = "committee_member"
	RoleExpert          Role = "expert"
	RoleSchoolAdmin     Role = "school_admin"
	RoleIB              Role = "ib"
	RoleTeacher         Role = "teacher"
)

// The roles of an API token: it reads, or reads and writes, the pupils of
// the one school licence it was made for; an SWV's token reads, or reads
// and handles, the requests submitted to that SWV. A token never holds a
// person's role: where the law asks a person (an expert's advice, a
// member's vote, the signature) the SWV's token acts for a named person
// who holds that role (server.apiPerson).
const (
	RoleAPIRead     Role = "api_read"
	RoleAPIWrite    Role = "api_write"
	RoleAPISWVRead  Role = "api_swv_read"
	RoleAPISWVWrite Role = "api_swv_write"
)

// Label is the role's Dutch name.
func (r Role) Label() string {
	switch r {
	case RolePlatformAdmin:
		return "platformbeheerder"
	case RoleSWVAdmin:
		return "beheerder samenwerkingsverband"
	case RoleConsultant:
		return "consulent"
	case RoleCommitteeMember:
		return "commissielid"
	case RoleExpert:
		return "deskundige"
	case RoleSchoolAdmin:
		return "schoolbeheerder / directeur"
	case RoleIB:
		return "intern begeleider / ondersteuningscoördinator"
	case RoleTeacher:
		return "leerkracht / mentor"
	case RoleAPIRead:
		return "koppeling (lezen)"
	case RoleAPIWrite:
		return "koppeling (lezen en schrijven)"
	case RoleAPISWVRead:
		return "koppeling samenwerkingsverband (lezen)"
	case RoleAPISWVWrite:
		return "koppeling samenwerkingsverband (lezen en behandelen)"
	}
	return string(r)
}

// Permission is one thing a route lets a person do.
type Permission string

// The permissions. Each route requires exactly one.
const (
	PermLicencesManage   Permission = "licences.manage"    // create and remove licences, SWVs
	PermPupilsList       Permission = "pupils.list"        // list pupils (teachers: their groups)
	PermPupilRead        Permission = "pupil.read"         // one pupil's record (teachers: their groups)
	PermPupilEnrol       Permission = "pupil.enrol"        // enrol a pupil
	PermEnrolmentConfirm Permission = "enrolment.confirm"  // confirm an enrolment check
	PermLogbookRead      Permission = "logbook.read"       // a pupil's logbook
	PermAPITokensManage  Permission = "apitokens.manage"   // make and revoke API tokens of a licence
	PermStaffManage      Permission = "staff.manage"       // staff and roles of a licence (groups at a school)
	PermSWVSchools       Permission = "swv.schools"        // the SWV's schools and their consulent
	PermDossierRead      Permission = "dossier.read"       // dossiers, their PDF and attachments (teachers: their groups)
	PermDossierWrite     Permission = "dossier.write"      // fill in a dossier: groeidocument, phases, attachments
	PermDossierManage    Permission = "dossier.manage"     // open a dossier, advance its phase, offer the handelingsdeel
	PermSchoolSettings   Permission = "school.settings"    // the school's own choices (who may read the plan in the portal)
	PermSWVSettings      Permission = "swv.settings"       // the SWV's rules for its schools (consent terms and ages)
	PermRequestRead      Permission = "request.read"       // requests submitted to the SWV, their documents and the agenda
	PermRequestManage    Permission = "request.manage"     // intake, agenda, meetings, objections, closing other requests
	PermRequestAdvise    Permission = "request.advise"     // an expert's advice on a TLV
	PermRequestVote      Permission = "request.vote"       // a committee member's vote
	PermRequestSign      Permission = "request.sign"       // sign a granted TLV or arrangement for the SWV
	PermSWVPrivacy       Permission = "swv.privacy"        // answer requests under the AVG made to the SWV, lift a restriction
	PermLetterhead       Permission = "licence.letterhead" // the licence's own logo and details on its documents
	PermLASImport        Permission = "las.import"         // pupils, groups and teachers from the LAS (EDEXML), test results
	PermTransferReceive  Permission = "transfer.receive"   // transfers offered by other schools: accept or decline, the school's transfers
	PermSWVMonitor       Permission = "swv.monitor"        // the SWV's monitor: counts over its requests, decisions and schools
)

// Scope says how far a permission reaches for a role.
type Scope int

// Scopes: none, only pupils in the user's own groups, every pupil of the
// licence, or the whole platform (licence administration only).
const (
	ScopeNone Scope = iota
	ScopeOwnGroups
	ScopeLicence
	ScopePlatform
)

// grants is the one table of who may do what. Roles of the SWV have no
// permission on pupils: the SWV never reads a school database, only what
// a school submits to it (later issues add those permissions).
var grants = map[Permission]map[Role]Scope{
	PermLicencesManage: {RolePlatformAdmin: ScopePlatform},
	PermPupilsList: {RoleSchoolAdmin: ScopeLicence, RoleIB: ScopeLicence, RoleTeacher: ScopeOwnGroups,
		RoleAPIRead: ScopeLicence, RoleAPIWrite: ScopeLicence},
	PermPupilRead: {RoleSchoolAdmin: ScopeLicence, RoleIB: ScopeLicence, RoleTeacher: ScopeOwnGroups,
		RoleAPIRead: ScopeLicence, RoleAPIWrite: ScopeLicence},
	PermPupilEnrol:       {RoleSchoolAdmin: ScopeLicence, RoleIB: ScopeLicence, RoleAPIWrite: ScopeLicence},
	PermEnrolmentConfirm: {RoleSchoolAdmin: ScopeLicence, RoleIB: ScopeLicence, RoleAPIWrite: ScopeLicence},
	PermLogbookRead:      {RoleSchoolAdmin: ScopeLicence, RoleIB: ScopeLicence},
	PermAPITokensManage:  {RoleSchoolAdmin: ScopeLicence, RoleSWVAdmin: ScopeLicence},
	PermStaffManage:      {RoleSchoolAdmin: ScopeLicence, RoleSWVAdmin: ScopeLicence, RolePlatformAdmin: ScopePlatform},
	PermSWVSchools:       {RoleSWVAdmin: ScopeLicence},
	PermDossierRead: {RoleSchoolAdmin: ScopeLicence, RoleIB: ScopeLicence, RoleTeacher: ScopeOwnGroups,
		RoleAPIRead: ScopeLicence, RoleAPIWrite: ScopeLicence},
	PermDossierWrite: {RoleSchoolAdmin: ScopeLicence, RoleIB: ScopeLicence, RoleTeacher: ScopeOwnGroups,
		RoleAPIWrite: ScopeLicence},
	PermDossierManage:  {RoleSchoolAdmin: ScopeLicence, RoleIB: ScopeLicence, RoleAPIWrite: ScopeLicence},
	PermSchoolSettings: {RoleSchoolAdmin: ScopeLicence, RoleAPIWrite: ScopeLicence},
	PermSWVSettings:    {RoleSWVAdmin: ScopeLicence, RoleAPISWVWrite: ScopeLicence},
	PermRequestRead: {RoleSWVAdmin: ScopeLicence, RoleConsultant: ScopeLicence, RoleCommitteeMember: ScopeLicence,
		RoleExpert: ScopeLicence, RoleAPISWVRead: ScopeLicence, RoleAPISWVWrite: ScopeLicence},
	PermRequestManage: {RoleSWVAdmin: ScopeLicence, RoleConsultant: ScopeLicence, RoleAPISWVWrite: ScopeLicence},
	PermRequestAdvise: {RoleExpert: ScopeLicence, RoleAPISWVWrite: ScopeLicence},
	PermRequestVote:   {RoleCommitteeMember: ScopeLicence, RoleAPISWVWrite: ScopeLicence},
	PermRequestSign:   {RoleSWVAdmin: ScopeLicence, RoleAPISWVWrite: ScopeLicence},
	PermSWVPrivacy:    {RoleSWVAdmin: ScopeLicence, RoleAPISWVWrite: ScopeLicence},
	PermLetterhead:    {RoleSchoolAdmin: ScopeLicence, RoleSWVAdmin: ScopeLicence},
	// The import changes every pupil's record and what each teacher may
	// see: the school's admin, or the LAS's own integration.
	PermLASImport: {RoleSchoolAdmin: ScopeLicence, RoleAPIWrite: ScopeLicence},
	// A transfer offered to the school names a pupil who is not yet
	// the school's: those who take pupils in decide on it.
	PermTransferReceive: {RoleSchoolAdmin: ScopeLicence, RoleIB: ScopeLicence, RoleAPIWrite: ScopeLicence},
	// The monitor is the SWV's account to its board and the inspectorate:
	// its admin (management), and its own administration's tokens.
	PermSWVMonitor: {RoleSWVAdmin: ScopeLicence, RoleAPISWVRead: ScopeLicence, RoleAPISWVWrite: ScopeLicence},
}

// SchoolRoles are the roles a school admin hands out on a school licence.
func SchoolRoles() []Role {
	return []Role{RoleSchoolAdmin, RoleIB, RoleTeacher}
}

// AdminRoleFor is the admin role of a licence: the one role the platform
// admin hands out there, to appoint its first admin.
func AdminRoleFor(swvLicence bool) Role {
	if swvLicence {
		return RoleSWVAdmin
	}
	return RoleSchoolAdmin
}

// SWVRoles are the roles an SWV admin hands out on the SWV's licence.
func SWVRoles() []Role {
	return []Role{RoleSWVAdmin, RoleConsultant, RoleCommitteeMember, RoleExpert}
}

// ScopeOf returns how far perm reaches for role.
func ScopeOf(role Role, perm Permission) Scope {
	return grants[perm][role]
}

// AllRoles lists every role, in the order admin pages show them, then the
// roles of API tokens.
func AllRoles() []Role {
	return []Role{RolePlatformAdmin, RoleSWVAdmin, RoleConsultant, RoleCommitteeMember, RoleExpert,
		RoleSchoolAdmin, RoleIB, RoleTeacher, RoleAPIRead, RoleAPIWrite, RoleAPISWVRead, RoleAPISWVWrite}
}

// AllPermissions lists every permission.
func AllPermissions() []Permission {
	return []Permission{PermLicencesManage, PermPupilsList, PermPupilRead, PermPupilEnrol, PermEnrolmentConfirm,
		PermLogbookRead, PermAPITokensManage, PermStaffManage, PermSWVSchools, PermDossierRead, PermDossierWrite,
		PermDossierManage, PermSchoolSettings, PermSWVSettings, PermRequestRead, PermRequestManage, PermRequestAdvise,
		PermRequestVote, PermRequestSign, PermSWVPrivacy, PermLetterhead, PermLASImport, PermTransferReceive, PermSWVMonitor}
}
