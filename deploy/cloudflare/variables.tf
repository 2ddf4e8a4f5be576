variable "zone_name" {
  description = "The Cloudflare zone (apex domain), e.g. example.com."
  type        = string
}

variable "hostname" {
  description = "Public host name of Agent Hub, e.g. agent-hub.example.com (must match AGENT_HUB_PUBLIC_URL)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$", var.hostname))
    error_message = "hostname must be a lower-case DNS name without scheme or path."
  }
}

variable "use_tunnel" {
  description = "Reach the cluster through a Cloudflare Tunnel (cloudflared, overlay k8s/overlays/tunnel) instead of proxied A/AAAA records to the ingress."
  type        = bool
  default     = false
}

variable "origin_ipv4" {
  description = "Public IPv4 address of the cluster's ingress (ignored with use_tunnel). Empty: no A record."
  type        = string
  default     = ""
}

variable "origin_ipv6" {
  description = "Public IPv6 address of the cluster's ingress (ignored with use_tunnel). Empty: no AAAA record."
  type        = string
  default     = ""
}

variable "tunnel_namespace" {
  description = "Kubernetes namespace of agent-hub-api and agent-hub-ui, for the tunnel's routes."
  type        = string
  default     = "agent-hub"
}

variable "create_origin_certificate" {
  description = "Issue a Cloudflare Origin CA certificate for the ingress (alternative to cert-manager + Let's Encrypt; overlay k8s/overlays/origin-ca)."
  type        = bool
  default     = false
}

variable "hsts_max_age" {
  description = "HSTS max-age in seconds sent by Cloudflare."
  type        = number
  default     = 31536000
}

variable "enable_managed_waf" {
  description = "Deploy the Cloudflare Managed Ruleset and the OWASP Core Ruleset (needs the Pro plan or higher)."
  type        = bool
  default     = true
}

variable "owasp_action" {
  description = "Action when the OWASP anomaly score crosses the threshold: block, managed_challenge or log (log to tune false positives, e.g. agents posting code)."
  type        = string
  default     = "block"

  validation {
    condition     = contains(["block", "managed_challenge", "log"], var.owasp_action)
    error_message = "owasp_action must be block, managed_challenge or log."
  }
}

variable "owasp_score_threshold" {
  description = "OWASP anomaly score threshold: 25 (high sensitivity), 40 (medium), 60 (low). Low by default because agents post arbitrary text and code."
  type        = number
  default     = 60

  validation {
    condition     = contains([25, 40, 60], var.owasp_score_threshold)
    error_message = "owasp_score_threshold must be 25, 40 or 60."
  }
}

variable "super_bot_fight_mode" {
  description = "Use Super Bot Fight Mode (Pro and higher). false: the free Bot Fight Mode."
  type        = bool
  default     = true
}

variable "challenge_path_prefixes" {
  description = "Path prefixes where browsers get a managed challenge: the owner's login and setup pages and the credential endpoints they call. Not all of /auth/: the UI fetches /auth/status from every page, and a challenged fetch without a cf_clearance cookie fails."
  type        = list(string)
  default     = ["/login", "/setup", "/auth/login", "/auth/setup"]
}

variable "login_rate_limit_per_minute" {
  description = "Requests per minute per IP to /auth/login/*."
  type        = number
  default     = 10
}

variable "api_rate_limit_per_minute" {
  description = "Requests per minute per IP to /api/*."
  type        = number
  default     = 100
}

variable "rate_limit_period" {
  description = "Rate-limit counting period in seconds (60 needs Pro or higher; the Free plan allows only 10). Limits scale with it."
  type        = number
  default     = 60

  validation {
    condition     = contains([10, 60], var.rate_limit_period)
    error_message = "rate_limit_period must be 10 or 60."
  }
}

variable "rate_limit_mitigation_timeout" {
  description = "Seconds a client stays blocked after crossing a rate limit (Free plan: 10)."
  type        = number
  default     = 60
}

variable "static_edge_ttl" {
  description = "Edge cache TTL in seconds for hashed Next.js assets (/_next/static/*)."
  type        = number
  default     = 2592000
}
