# Cloudflare Origin CA certificate for the ingress (trusted only by Cloudflare, valid up
# to 15 years). Alternative to cert-manager + Let's Encrypt: store it as Secret
# agent-hub-tls and deploy k8s/overlays/origin-ca (docs/operations.md, "TLS at the origin").
# The private key ends up in the Terraform state: keep the state encrypted.
resource "tls_private_key" "origin" {
  count       = var.create_origin_certificate ? 1 : 0
  algorithm   = "ECDSA"
  ecdsa_curve = "P256"
}

resource "tls_cert_request" "origin" {
  count           = var.create_origin_certificate ? 1 : 0
  private_key_pem = tls_private_key.origin[0].private_key_pem

  subject {
    common_name  = var.hostname
    organization = "Agent Hub"
  }
}

resource "cloudflare_origin_ca_certificate" "origin" {
  count              = var.create_origin_certificate ? 1 : 0
  csr                = tls_cert_request.origin[0].cert_request_pem
  hostnames          = [var.hostname]
  request_type       = "origin-ecc"
  requested_validity = 5475
}
